"""Access monitoring's place in the portal: the staff link and a home-page panel of counts
(auditors only), and the regulator report's section (counts only, small cells suppressed).
Nothing imports this app; the portal and the reports reach it through these hooks."""

import datetime

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import selectors


@hooks.register("portal_staff_nav")
def monitoring_staff_nav(request):
    if selectors.is_auditor(request.user):
        return [{"url": reverse("monitoring:dashboard"), "label": _("Access monitoring")}]
    return []


@hooks.register("portal_home_panels")
def monitoring_home_panel(request):
    """Counts of the findings waiting, on an auditor's home page (no names: the list is one click away)."""
    if not selectors.is_auditor(request.user):
        return None
    counts = selectors.status_counts()
    return render_to_string(
        "monitoring/home_panel.html",
        {"new": counts.get("open", 0), "investigating": counts.get("investigating", 0)},
        request=request,
    )


@hooks.register("regulator_report_sections")
def monitoring_report_section(request, *, start: datetime.date, end: datetime.date):
    """Findings of access monitoring by month, rule and system: counts only, cells under five as "<5"."""
    stats = selectors.monitoring_statistics(start=start, end=end)
    return render_to_string("monitoring/report_section.html", {"stats": stats}, request=request)
