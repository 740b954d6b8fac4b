import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import CaseStudyPage

# The cases panel under each rule is the same for every reader (only public cases are listed) and
# costs a query on Wagtail's restrictions for every view of a rule, so it is cached. Its keys carry a
# generation that any change to what the panels show replaces, dropping every rule's panel at once:
# cases change a few times a month.
GENERATION_KEY = "casebook:rule-panels:generation"
PANEL_TTL = 10 * 60


@receiver([page_published, page_unpublished, post_delete], sender=CaseStudyPage)
@receiver(post_page_move)  # a case, or the casebook above it, moved: their URLs changed
@receiver([post_save, post_delete], sender=PageViewRestriction)
def rule_panels_changed(**kwargs) -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)
    # Again once the change is committed: a reader in between may have cached what was there before.
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), None))


def _panel_key(page) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY, generation)
    return f"casebook:rule-panel:{generation}:{page.pk}:{get_language()}"


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    key = _panel_key(page)
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
    # Our own rendering, through the cache (every cached value does).
    return mark_safe(html) if html else None  # noqa: S308
