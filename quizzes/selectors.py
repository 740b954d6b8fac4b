"""Reads for quizzes."""

from django.db.models import QuerySet
from wagtail.models import Page

from .models import Attempt, Quiz


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
