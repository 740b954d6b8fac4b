"""`manage.py quiz_start_attempt`: starts or resumes an attempt and prints its address."""

import io

import pytest
from django.core.management import CommandError, call_command

from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("quiz_start_attempt", *args, stdout=out)
    return out.getvalue().strip()


def test_prints_the_attempt_address_and_resumes_it(make_quiz, person):
    make_quiz(questions=2, slug="cmd")
    first = _run(f"--email={person.email.upper()}", "--quiz=cmd", "--context=c", "--return-url=/training/")
    attempt = Attempt.objects.get()
    assert first == attempt.get_absolute_url()
    assert attempt.return_url == "/training/" and attempt.person == person
    assert _run(f"--email={person.email}", "--quiz=cmd", "--context=c") == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email=nobody@example.jp", "--quiz=cmd"], "No person"),
        (["--email=taker@example.jp", "--quiz=missing"], "No quiz"),
        (["--email=taker@example.jp", "--quiz=cmd", "--return-url=https://evil.example/"], "path on this site"),
    ],
)
def test_refuses_bad_input_clearly(make_quiz, person, args, message):
    make_quiz(questions=1, slug="cmd")
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Attempt.objects.exists()
