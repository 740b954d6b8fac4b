"""The demo loader: the story's modules reach exactly their audiences, history has shape, reruns change nothing."""

import io

import pytest
import time_machine
from django.db.models.functions import TruncMonth

from people.models import Person
from quizzes.models import Attempt
from training import selectors
from training.models import Acknowledgement, Assignment, Certificate, LessonProgress, TrainingModulePage

from .conftest import jst

EXPECTED = {
    "sales@example.jp": {"conduct-basics", "sales-office"},
    "cc@example.jp": {"conduct-basics", "call-centre"},
    "contractor@example.jp": {"conduct-basics", "contractors-temps"},
    "temp@example.jp": {"conduct-basics", "contractors-temps"},
    "manager@example.jp": {"conduct-basics", "sales-office"},
}


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Assignment, LessonProgress, Certificate, Acknowledgement, Attempt))


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from people import demo as people_demo
    from portal import demo as portal_demo
    from quizzes import demo as quizzes_demo
    from training import demo as training_demo

    out = io.StringIO()
    with time_machine.travel(jst(2026, 11, 20, 12, 0), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            for loader in (portal_demo, people_demo, quizzes_demo):
                loader.load(out)
        training_demo.load(out)
        yield training_demo


def test_demo_accounts_get_exactly_their_audiences_modules(demo):
    modules = list(TrainingModulePage.objects.live())
    assert {m.slug for m in modules} == {
        "conduct-basics",
        "sales-office",
        "call-centre",
        "executives",
        "contractors-temps",
    }
    for email, expected in EXPECTED.items():
        person = Person.objects.get(email=email)
        current = set(
            Assignment.objects.filter(person=person, archived_at__isnull=True).values_list("module__slug", flat=True)
        )
        assert current == expected, email
        visible = {m.slug for m in modules if selectors.module_visible_to(module=m, person=person)}
        assert visible == expected, email
        # Demo accounts keep open training, so the portal shows something to do.
        assert selectors.open_assignments(person=person), email


def test_demo_history_is_spread_over_months_and_reruns_change_nothing(demo):
    months = set(Certificate.objects.annotate(m=TruncMonth("completed_at")).values_list("m", flat=True))
    assert len(months) >= 6
    done = Assignment.objects.filter(status="completed")
    assert done.count() > 100 and Assignment.objects.filter(status="assigned").count() > 100
    assert all(a.completed_at >= a.assigned_at for a in done)
    assert Attempt.objects.filter(passed=False).exists()  # some failed a first attempt
    before = counts()
    with time_machine.travel(jst(2026, 11, 20, 13, 0), tick=True):
        demo.load(io.StringIO())
    assert counts() == before


def test_demo_history_carries_its_historical_times_in_the_rows_and_the_audit_log(demo):
    """The services were told when each step happened: certificates, attempts and audit entries agree."""
    from audit.models import AuditEntry
    from audit.services import audit_verify_chain

    done = list(Assignment.objects.filter(status="completed").select_related("certificate"))
    assert done
    completed_audit = dict(
        AuditEntry.objects.filter(action="training.completed").values_list("target_id", "at").iterator()
    )
    for assignment in done:
        assert assignment.certificate.issued_at == assignment.completed_at == assignment.quiz_passed_at
        assert completed_audit[str(assignment.pk)] == assignment.completed_at
        assert assignment.completed_at.year == 2026 and assignment.completed_at < jst(2026, 11, 20, 12, 0)
    passed = Attempt.objects.filter(passed=True)
    assert set(passed.values_list("submitted_at", flat=True)) == {a.quiz_passed_at for a in done}
    # Entries appended now with past times, in seq order: the chain still verifies.
    assert list(audit_verify_chain()) == []
