"""The page after a passed quiz says what to do next: download the certificate, or read the
lessons still unread (training contributes it through the quiz_result_panels hook)."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt
from tests.reports.conftest import world  # noqa: F401
from tests.training.conftest import make_module, make_quiz, org, training_index  # noqa: F401
from training.models import Assignment

pytestmark = pytest.mark.django_db


def _attempt_of(person) -> Attempt:
    return Attempt.objects.filter(person=person, status=Attempt.Status.SUBMITTED).latest("submitted_at")


def test_a_passed_quiz_that_completes_the_module_links_the_certificate(client, world):  # noqa: F811
    person = world["east"]  # read every lesson, then passed
    attempt = _attempt_of(person)
    assert attempt.passed
    certificate = Assignment.objects.get(person=person, module__slug="quiz-mod", cycle="FY2026").certificate
    client.force_login(person)
    html = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).content.decode()
    assert 'aria-labelledby="next-step-heading"' in html
    assert reverse("certificates:download", args=[certificate.pk]) in html
    assert reverse("training:my_training") in html


def test_a_failed_quiz_gets_no_next_step_panel(client, world):  # noqa: F811
    person = world["hachi1"]
    attempt = _attempt_of(person)
    assert not attempt.passed
    client.force_login(person)
    html = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).content.decode()
    assert "next-step-heading" not in html
