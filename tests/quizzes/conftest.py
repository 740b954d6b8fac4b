import pytest
from django.contrib.auth import get_user_model

from quizzes.services import question_bank_publish, quiz_configure


def question_specs(count: int, *, prefix: str = "Q") -> list[dict]:
    """`count` single-choice questions; the right choice of each is the one whose text starts with "right"."""
    return [
        {
            "kind": "single",
            "text": f"{prefix}{i}: which is right?",
            "choices": [
                {"text": f"right answer {i}", "correct": True},
                {"text": f"wrong answer {i}a", "correct": False},
                {"text": f"wrong answer {i}b", "correct": False},
            ],
            "explanation": f"<p>EXPLANATION-{prefix}{i} because rule {i}</p>",
        }
        for i in range(count)
    ]


@pytest.fixture
def make_person(db):
    counter = {"n": 0}

    def make(email: str | None = None):
        counter["n"] += 1
        return get_user_model().objects.create_user(
            email or f"person{counter['n']}@example.jp", password="x" * 12, family_name="試験", given_name="太郎"
        )

    return make


@pytest.fixture
def client_of(client):
    """The test client, logged in as the given person."""

    def log_in(person):
        client.force_login(person)
        return client

    return log_in


@pytest.fixture
def person(make_person):
    return make_person("taker@example.jp")


@pytest.fixture
def make_quiz(db):
    def make(*, questions: int = 5, bank_size: int | None = None, slug: str = "q", **settings):
        bank = question_bank_publish(
            slug=f"{slug}-bank", title=f"{slug} bank", questions=question_specs(bank_size or questions)
        )
        settings.setdefault("question_count", questions)
        settings.setdefault("pass_mark_percent", 80)
        settings.setdefault("shuffle_choices", True)
        return quiz_configure(slug=slug, title=f"Quiz {slug}", bank_slugs=[bank.slug], **settings)

    return make


def _right_answers(attempt, how_many: int | None = None) -> dict[str, list[str]]:
    """Answers with the first `how_many` questions right and the rest wrong (all right by default)."""
    answers = {}
    for i, q in enumerate(attempt.questions):
        right = how_many is None or i < how_many
        chosen = next(c["id"] for c in q["choices"] if c["correct"] == right)
        answers[str(q["id"])] = [chosen]
    return answers


@pytest.fixture
def right_answers():
    return _right_answers


@pytest.fixture
def specs():
    return question_specs


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in their English source form (pages are checked in Japanese too)."""
    from django.utils import translation

    with translation.override("en"):
        yield
