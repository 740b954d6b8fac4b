from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models import RulePage
from portal.routing import forget_pages

from .models import CaseStudyPage


@receiver([page_published, page_unpublished, post_page_move, post_delete], sender=CaseStudyPage)
@receiver([post_save, post_delete], sender=PageViewRestriction)
def _forget_rule_pages(**kwargs) -> None:
    # A rule page's rendering is shared between readers and kept (portal/shared_pages.py); its
    # list of cases is not part of the rule's revision, so every rule forgets its cached copy,
    # not only those the case links now: it may have linked others before. There are tens of
    # rules, and cases change a few times a month.
    forget_pages(RulePage.objects.live().only("path", "url_path"))


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    cases = list(
        CaseStudyPage.objects.live().public().filter(rule_links__rule=page).distinct().order_by("-period_start", "path")
    )
    return render_to_string("casebook/includes/rule_cases_panel.html", {"cases": cases}) if cases else None
