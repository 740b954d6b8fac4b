from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models import RulePage

from .models import CaseStudyPage

# The panel is the same for every reader (public cases only), so it is rendered once per rule and
# language and dropped whenever a case or a view restriction changes. The TTL bounds how long a
# per-process cache (single-server installs) can miss a change made by another process.
PANEL_TTL = 5 * 60


def _panel_key(rule_id: int, language: str) -> str:
    return f"casebook:rule-panel:{rule_id}:{language}"


@receiver([page_published, page_unpublished, post_page_move, post_delete], sender=CaseStudyPage)
@receiver([post_save, post_delete], sender=PageViewRestriction)
def _forget_rule_panels(**kwargs) -> None:
    # Every rule's panel, not only those the case links now: it may have linked others before.
    # There are tens of rules, and cases change a few times a month.
    rules = RulePage.objects.values_list("pk", flat=True)
    cache.delete_many([_panel_key(rule, language) for rule in rules for language, _ in settings.LANGUAGES])


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    key = _panel_key(page.pk, get_language())
    html = cache.get(key)
    if html is None:
        cases = list(
            CaseStudyPage.objects.live()
            .public()
            .filter(rule_links__rule=page)
            .distinct()
            .order_by("-period_start", "path")
        )
        html = render_to_string("casebook/includes/rule_cases_panel.html", {"cases": cases}) if cases else ""
        cache.set(key, html, PANEL_TTL)
    return html or None
