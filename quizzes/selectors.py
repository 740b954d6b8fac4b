"""Reads for quizzes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from wagtail.models import Page

from .models import Attempt, AttemptResponse, Question, Quiz


def attempts_for(*, person, quiz: Quiz, context: str) -> QuerySet[Attempt]:
    """A person's attempts at a quiz in one context, newest first."""
    return Attempt.objects.filter(person=person, quiz=quiz, context=context).order_by("-number")


def best_attempt(*, person, quiz: Quiz, context: str) -> Attempt | None:
    """The graded attempt that counts: a pass before a fail, then the highest score, then the earliest."""
    return (
        attempts_for(person=person, quiz=quiz, context=context)
        .filter(status=Attempt.Status.SUBMITTED)
        .order_by("-passed", "-score_percent", "submitted_at", "pk")
        .first()
    )


def attempts_left(*, quiz: Quiz, person, context: str) -> int | None:
    """How many new attempts the person may still start in this context; None means no limit.

    0 once the person has passed (no attempt follows a pass) or has used every allowed attempt;
    an open attempt counts as used.
    """
    if has_passed(person=person, quiz=quiz, context=context):
        return 0
    if not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts - attempts_for(person=person, quiz=quiz, context=context).count())


def failed_out(*, quiz: Quiz, person, context: str) -> bool:
    """Every allowed attempt was used and graded without a pass: nothing more the person can do."""
    if not quiz.max_attempts:
        return False
    counted = attempts_for(person=person, quiz=quiz, context=context)
    return (
        counted.filter(status=Attempt.Status.SUBMITTED, passed=False).count() >= quiz.max_attempts
        and not counted.filter(status=Attempt.Status.IN_PROGRESS).exists()
        and not has_passed(person=person, quiz=quiz, context=context)
    )


def next_attempt_at(*, quiz: Quiz, attempts) -> datetime | None:
    """When the next attempt may start under the quiz's wait, given the context's attempts; None: no wait."""
    graded = [a.submitted_at for a in attempts if a.submitted_at is not None]
    if not quiz.retake_wait_minutes or not graded:
        return None
    return max(graded) + timedelta(minutes=quiz.retake_wait_minutes)


@dataclass(frozen=True)
class QuizRules:
    """The rules of a quiz and where a person stands with them, shown before starting and on results."""

    question_count: int
    pass_mark_percent: int
    time_limit_minutes: int | None
    max_attempts: int  # 0: no limit
    retake_wait_minutes: int
    attempts_used: int
    attempts_left: int | None  # None: no limit
    passed: bool
    next_attempt_at: datetime | None  # set while the wait between attempts runs

    @property
    def can_start(self) -> bool:
        return not self.passed and self.attempts_left != 0 and self.next_attempt_at is None


def quiz_rules(*, quiz: Quiz, person, context: str) -> QuizRules:
    attempts = list(attempts_for(person=person, quiz=quiz, context=context))
    passed = any(a.passed for a in attempts)
    ready_at = next_attempt_at(quiz=quiz, attempts=attempts)
    has_open = any(a.is_open for a in attempts)
    used = len(attempts)
    return QuizRules(
        question_count=quiz.question_count,
        pass_mark_percent=quiz.pass_mark_percent,
        time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts,
        retake_wait_minutes=quiz.retake_wait_minutes,
        attempts_used=used,
        attempts_left=0 if passed else (max(0, quiz.max_attempts - used) if quiz.max_attempts else None),
        passed=passed,
        next_attempt_at=ready_at if ready_at and ready_at > timezone.now() and not has_open else None,
    )


@dataclass(frozen=True)
class Review:
    """What the result page of an attempt shows under the quiz's review options."""

    correctness: bool
    explanation: bool
    correct_choice: bool


def review_for(*, attempt: Attempt) -> Review:
    quiz = attempt.quiz
    passed = bool(attempt.passed) or has_passed(person=attempt.person, quiz=quiz, context=attempt.context)
    finished = passed or failed_out(quiz=quiz, person=attempt.person, context=attempt.context)
    shown = {
        Quiz.ReviewWhen.IMMEDIATELY: True,
        Quiz.ReviewWhen.AFTER_PASS: passed,
        Quiz.ReviewWhen.FINISHED: finished,
        Quiz.ReviewWhen.NEVER: False,
    }
    return Review(
        correctness=shown.get(quiz.review_correctness, False),
        explanation=shown.get(quiz.review_explanation, False),
        correct_choice=shown.get(quiz.review_correct_choice, False),
    )


def weak_point_responses() -> QuerySet[AttemptResponse]:
    """Graded answers that may count in weak-point figures: of submitted attempts with at least one answer.

    A blank submission says nothing about what a person misunderstands (and is how answers used
    to be harvested), so it is left out; answers received after the time limit are never here.
    """
    return AttemptResponse.objects.filter(attempt__status=Attempt.Status.SUBMITTED, attempt__answered_count__gt=0)


def attempt_of_owner(*, public_id, person) -> Attempt | None:
    """The attempt, only if it belongs to this person (anyone else gets nothing, not a refusal)."""
    return Attempt.objects.select_related("quiz").filter(public_id=public_id, person=person).first()


def has_passed(*, person, quiz: Quiz, context: str) -> bool:
    return attempts_for(person=person, quiz=quiz, context=context).filter(passed=True).exists()


def linked_pages(*, attempt: Attempt, request=None) -> dict[int, dict]:
    """Title and URL of the live case and rule pages the attempt's questions link to, by page id."""
    ids = {q.get(k) for q in attempt.questions for k in ("case_page_id", "rule_page_id")} - {None}
    if not ids:
        return {}
    pages = Page.objects.live().filter(pk__in=ids).specific(defer=True)
    return {p.pk: {"title": p.title, "url": p.get_url(request)} for p in pages}


def published_questions_about_case(*, page_id: int) -> list[Question]:
    """Questions of published banks that link this case, with each bank's quizzes, in two queries.

    A bank's rows hold its live content only while the bank is live (a draft of a live bank stays
    in its revisions; a bank never published, or unpublished, has `live=False`), the rule
    `services.draw_questions` follows too. Choices and explanation are not loaded: a reader of
    the case must not learn the answers from it.
    """
    return list(
        Question.objects.filter(case_page_id=page_id, bank__live=True)
        .select_related("bank")
        .only("kind", "situation", "text", "sort_order", "bank__title")
        .prefetch_related(Prefetch("bank__quizzes", queryset=Quiz.objects.only("title").order_by("title")))
        .order_by("bank__title", "bank_id", "sort_order", "pk")
    )
