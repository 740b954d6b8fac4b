"""Reads for quizzes."""

from django.db.models import Prefetch, QuerySet
from wagtail.models import Page

from .models import Attempt, Question, Quiz


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


def counted_attempts(*, person, quiz: Quiz, context: str) -> QuerySet[Attempt]:
    """The attempts that count against the quiz's attempt limit in this context (open ones included)."""
    return attempts_for(person=person, quiz=quiz, context=context)


def attempts_left(*, quiz: Quiz, person, context: str) -> int | None:
    """How many new attempts the person may still start in this context; None means no limit.

    0 once the person has passed (no attempt follows a pass) or has used every allowed attempt;
    an open attempt counts as used.
    """
    if has_passed(person=person, quiz=quiz, context=context):
        return 0
    if not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts - counted_attempts(person=person, quiz=quiz, context=context).count())


def failed_out(*, quiz: Quiz, person, context: str) -> bool:
    """Every allowed attempt was used and graded without a pass: nothing more the person can do."""
    if not quiz.max_attempts:
        return False
    counted = counted_attempts(person=person, quiz=quiz, context=context)
    return (
        counted.filter(status=Attempt.Status.SUBMITTED, passed=False).count() >= quiz.max_attempts
        and not counted.filter(status=Attempt.Status.IN_PROGRESS).exists()
        and not has_passed(person=person, quiz=quiz, context=context)
    )


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
