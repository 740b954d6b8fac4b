"""The cases that broke a rule, listed under it: the same for every reader, so rendered once.

Only public cases are listed, and reading which are public costs a query on Wagtail's
restrictions for every view of a rule, so the panel is cached under a generation that any change
to what it shows renews: cases change a few times a month. The receivers live here, imported
when the app is ready, so that every process (a task worker, a shell) has them, whenever Wagtail
imports the `wagtail_hooks` modules.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal import fragments

from .models import CaseStudyPage

GENERATION = "casebook-rule-panels"
TTL = 10 * 60


@receiver([page_published, page_unpublished, post_delete], sender=CaseStudyPage)
@receiver(post_page_move)  # a case, or the casebook above it, moved: their URLs changed
@receiver([post_save, post_delete], sender=PageViewRestriction)
def rule_panels_changed(**kwargs) -> None:
    fragments.renew(GENERATION)


def cases_that_broke(rule):
    """Safe HTML listing the public live cases that name `rule`, or None."""

    def render() -> str:
        cases = list(
            CaseStudyPage.objects.live()
            .public()
            .filter(rule_links__rule=rule)
            .distinct()
            .order_by("-period_start", "path")
        )
        return render_to_string("casebook/includes/rule_cases_panel.html", {"cases": cases}) if cases else ""

    html = fragments.cached(GENERATION, f"casebook:rule-panel:{rule.pk}:{get_language()}", render, TTL)
    # Our own rendering, through the cache (every cached value does).
    return mark_safe(html) if html else None  # noqa: S308
