"""Access monitoring's place in the portal: the staff link (auditors only) and the regulator
report's section (counts only, small cells suppressed). Nothing imports this app; the portal
and the reports reach it through these hooks."""

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


@hooks.register("regulator_report_sections")
def monitoring_report_section(request, *, start: datetime.date, end: datetime.date):
    """Findings of access monitoring by month, rule and system: counts only, cells under five as "<5"."""
    stats = selectors.monitoring_statistics(start=start, end=end)
    return render_to_string("monitoring/report_section.html", {"stats": stats}, request=request)
