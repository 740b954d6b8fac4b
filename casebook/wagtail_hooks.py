from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal import fragments

from .models import CaseStudyPage

# The cases panel under each rule is the same for every reader (only public cases are listed) and
# costs a query on Wagtail's restrictions for every view of a rule, so it is cached, under a
# generation that any change to what the panels show renews: cases change a few times a month.
PANEL_TTL = 10 * 60


@receiver([page_published, page_unpublished, post_delete], sender=CaseStudyPage)
@receiver(post_page_move)  # a case, or the casebook above it, moved: their URLs changed
@receiver([post_save, post_delete], sender=PageViewRestriction)
def rule_panels_changed(**kwargs) -> None:
    fragments.renew("casebook-rule-panels")


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    key = f"casebook:rule-panel:{fragments.generation('casebook-rule-panels')}:{page.pk}:{get_language()}"
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
