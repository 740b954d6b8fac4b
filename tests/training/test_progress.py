import subprocess
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError

from quizzes.services import attempt_start, attempt_submit
from tests.training.conftest import read_lesson
from training import selectors, services
from training.models import Assignment, Certificate
from training.pdf import certificate_pdf

from .conftest import answers, jst


@pytest.fixture
def assignment(make_module, make_person, make_quiz):
    module = make_module("basics", everyone=True, quiz=make_quiz(), lesson_count=2, due_days=10)
    person = make_person()
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        services.assignments_sync()
    return Assignment.objects.get(person=person, module=module)


def pass_quiz(assignment, *, right=True, capture):
    attempt = attempt_start(
        person=assignment.person, quiz=assignment.module.quiz, context=assignment.quiz_context, return_url="/training/"
    )
    with capture(execute=True):
        attempt_submit(attempt=attempt, answers=answers(attempt, right=right))
    assignment.refresh_from_db()
    return attempt


def read_all(assignment):
    for key in assignment.module.lesson_keys():
        read_lesson(assignment=assignment, lesson_key=key)
    assignment.refresh_from_db()


def test_completion_needs_every_lesson_and_the_quiz(assignment, django_capture_on_commit_callbacks):
    first, second = assignment.module.lesson_keys()
    read_lesson(assignment=assignment, lesson_key=first)
    pass_quiz(assignment, capture=django_capture_on_commit_callbacks)
    assert assignment.quiz_passed_at is not None
    assert assignment.status == "assigned"
    read_lesson(assignment=assignment, lesson_key=second)
    assignment.refresh_from_db()
    assert assignment.status == "completed" and assignment.completed_at is not None
    assert Certificate.objects.filter(assignment=assignment).count() == 1


def test_a_failed_quiz_does_not_complete(assignment, django_capture_on_commit_callbacks):
    read_all(assignment)
    pass_quiz(assignment, right=False, capture=django_capture_on_commit_callbacks)
    assert assignment.quiz_passed_at is None and assignment.status == "assigned"
    pass_quiz(assignment, capture=django_capture_on_commit_callbacks)
    assert assignment.status == "completed"


def test_a_quiz_passed_in_another_context_does_not_count(assignment, django_capture_on_commit_callbacks):
    read_all(assignment)
    attempt = attempt_start(person=assignment.person, quiz=assignment.module.quiz, context="practice")
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers(attempt))
    assignment.refresh_from_db()
    assert assignment.status == "assigned"


def test_unknown_lesson_key_is_refused_and_nothing_is_recorded(assignment):
    with pytest.raises(ValidationError):
        services.lesson_mark_read(assignment=assignment, lesson_key="not-a-lesson")
    assert not assignment.lesson_progress.exists()


def test_lesson_keys_survive_edits_to_the_module(assignment):
    first = assignment.module.lesson_keys()[0]
    read_lesson(assignment=assignment, lesson_key=first)
    module = assignment.module
    module.title = "改訂版"
    module.lessons[0].value["title"] = "レッスン1（改訂）"
    module.save_revision().publish()
    module.refresh_from_db()
    assert module.lesson_keys()[0] == first
    assert selectors.read_lesson_keys(assignment=assignment) == {first}


@pytest.mark.parametrize(
    ("moment", "on_time"),
    [
        (jst(2026, 6, 11, 23, 30), True),  # due date: 1 June + 10 days
        (jst(2026, 6, 12, 0, 0, 30), False),
    ],
)
def test_due_date_boundary_in_japanese_time(assignment, moment, on_time, django_capture_on_commit_callbacks):
    assert assignment.due_date.isoformat() == "2026-06-11"
    first, second = assignment.module.lesson_keys()
    read_lesson(assignment=assignment, lesson_key=first)
    pass_quiz(assignment, capture=django_capture_on_commit_callbacks)
    with time_machine.travel(moment, tick=False):
        read_lesson(assignment=assignment, lesson_key=second)
    assignment.refresh_from_db()
    assert assignment.completed_at == moment
    assert assignment.completed_on_time is on_time
    assert assignment.is_overdue(now=moment) is False


def test_certificate_code_and_pdf_embed_a_japanese_font(assignment, django_capture_on_commit_callbacks):
    read_all(assignment)
    pass_quiz(assignment, capture=django_capture_on_commit_callbacks)
    certificate = assignment.certificate
    assert len(certificate.code.replace("-", "")) == 16
    assert selectors.certificate_by_code(code=certificate.code.lower().replace("-", " ")) == certificate
    assert selectors.certificate_by_code(code="AAAA-BBBB-CCCC-DDDD") is None
    pdf = certificate_pdf(certificate=certificate)
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    ipa = [line for line in fonts.splitlines() if "IPAex" in line]
    assert ipa, fonts
    # Columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in ipa), fonts
