"""The questions about a case, shown under it: the same for every reader, so rendered once.

They change when a bank is published or unpublished, a question edited, or a quiz's banks
change, a few times a year. The panel is cached under a generation (`portal.fragments`) that
those writes renew. The receivers live here, imported when the app is ready, so that every
process (a task worker, a shell) has them, whenever Wagtail imports the `wagtail_hooks` modules.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal import fragments

from . import selectors
from .models import Question, QuestionBank, Quiz

GENERATION = "quizzes-case-panels"
TTL = 10 * 60


@receiver([post_save, post_delete], sender=QuestionBank, dispatch_uid="quizzes.case_panels.bank")
@receiver([post_save, post_delete], sender=Question, dispatch_uid="quizzes.case_panels.question")
@receiver([post_save, post_delete], sender=Quiz, dispatch_uid="quizzes.case_panels.quiz")
@receiver(m2m_changed, sender=Quiz.banks.through, dispatch_uid="quizzes.case_panels.quiz_banks")
def case_panels_changed(**kwargs) -> None:
    fragments.renew(GENERATION)


def questions_about_case(page):
    """Safe HTML listing the published questions that link this case (no answers), or None."""

    def render() -> str:
        questions = selectors.published_questions_about_case(page_id=page.pk)
        if not questions:
            return ""
        return render_to_string("quizzes/includes/case_questions_panel.html", {"questions": questions})

    html = fragments.cached(GENERATION, f"quizzes:case-panel:{page.pk}:{get_language()}", render, TTL)
    return mark_safe(html) if html else None  # noqa: S308 - our own template's output, through the cache
