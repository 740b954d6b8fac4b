from django.template.loader import render_to_string
from wagtail import hooks

from .models import CaseStudyPage


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    cases = list(
        CaseStudyPage.objects.live().public().filter(rule_links__rule=page).distinct().order_by("-period_start", "path")
    )
    return render_to_string("casebook/includes/rule_cases_panel.html", {"cases": cases}) if cases else None
