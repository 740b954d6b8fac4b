"""Failed out: the quiz's last allowed attempt failed. A state of its own, and an administrator's audited reset."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from people.roles import TRAINING_ADMINISTRATORS
from quizzes.services import attempt_start, attempt_submit
from tests.factories import people as pf
from training import services
from training.models import Assignment

from .conftest import answers, jst


@pytest.fixture
def assignment(make_module, make_person, make_quiz):
    module = make_module("basics", everyone=True, quiz=make_quiz(max_attempts=2), lesson_count=1, due_days=10)
    person = make_person()
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        services.assignments_sync()
    return Assignment.objects.get(person=person, module=module)


@pytest.fixture
def admin(make_person):
    person = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(person)
    return person


def take(assignment, *, right: bool, capture):
    attempt = attempt_start(
        person=assignment.person, quiz=assignment.module.quiz, context=assignment.quiz_context, return_url="/training/"
    )
    with capture(execute=True):
        attempt_submit(attempt=attempt, answers=answers(attempt, right=right))
    assignment.refresh_from_db()
    return attempt


def test_failing_the_last_allowed_attempt_makes_the_assignment_failed_out(
    assignment, django_capture_on_commit_callbacks
):
    take(assignment, right=False, capture=django_capture_on_commit_callbacks)
    assert assignment.status == Assignment.Status.ASSIGNED  # one attempt left
    take(assignment, right=False, capture=django_capture_on_commit_callbacks)
    assert assignment.status == Assignment.Status.FAILED_OUT
    assert assignment.failed_out_at is not None
    assert not assignment.is_open and not assignment.is_overdue()
    entry = AuditEntry.objects.get(action="training.failed_out")
    assert entry.detail["attempts"] == 2


def test_a_failed_out_person_is_told_on_the_module_page_and_cannot_start_another_attempt(
    client, assignment, django_capture_on_commit_callbacks
):
    for _ in range(2):
        take(assignment, right=False, capture=django_capture_on_commit_callbacks)
    client.force_login(assignment.person)
    html = client.get(assignment.module.url).content.decode()
    assert "不合格確定" in html
    assert 'action="' + assignment.module.url + 'quiz/"' not in html
    client.post(assignment.module.url + "quiz/")
    assert assignment.person.quiz_attempts.count() == 2
    listing = client.get(reverse("training:my_training")).content.decode()
    assert "不合格確定" in listing


def test_an_administrator_reset_grants_a_new_round_of_attempts_on_record(
    client, assignment, admin, django_capture_on_commit_callbacks
):
    for _ in range(2):
        take(assignment, right=False, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.assignment_reset_attempts(assignment=assignment, actor=admin, reason="  ")
    with pytest.raises(PermissionError):
        services.assignment_reset_attempts(assignment=assignment, actor=assignment.person, reason="本人希望")
    client.force_login(admin)
    manage = client.get(reverse("training:manage") + "?status=failed_out").content.decode()
    assert reverse("training:reset_attempts", args=[assignment.pk]) in manage
    response = client.post(reverse("training:reset_attempts", args=[assignment.pk]), {"reason": "上長と面談済み"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ASSIGNED and assignment.attempt_round == 1
    entry = AuditEntry.objects.get(action="training.attempts_reset")
    assert entry.actor_id == admin.pk and entry.detail["reason"] == "上長と面談済み"
    # The new round counts its own attempts: a pass now completes the assignment.
    read_first_lesson = assignment.module.lesson_keys()[0]
    from .conftest import read_lesson

    read_lesson(assignment=assignment, lesson_key=read_first_lesson)
    take(assignment, right=True, capture=django_capture_on_commit_callbacks)
    assert assignment.status == Assignment.Status.COMPLETED
    # A reset applies only to a failed-out assignment.
    with pytest.raises(ValidationError):
        services.assignment_reset_attempts(assignment=assignment, actor=admin, reason="再度")


def test_the_reset_screen_is_404_for_anyone_but_training_administrators(client, assignment):
    client.force_login(assignment.person)
    assert client.get(reverse("training:reset_attempts", args=[assignment.pk])).status_code == 404


def test_the_managers_weekly_digest_names_who_failed_out(
    assignment, make_person, mailoutbox, django_capture_on_commit_callbacks
):
    from people.models import Unit

    for _ in range(2):
        take(assignment, right=False, capture=django_capture_on_commit_callbacks)
    manager = make_person(unit_code="HACHINOHE", email="boss-fo@example.jp")
    Unit.objects.get(code=assignment.person.unit.code).managers.add(manager)
    with time_machine.travel(jst(2026, 6, 8, 9, 0), tick=False):  # a Monday
        services.reminders_send()
    body = next(m.body for m in mailoutbox if manager.email in m.to)
    section = body.split("不合格確定", 1)[1]
    assert assignment.module.title in section
