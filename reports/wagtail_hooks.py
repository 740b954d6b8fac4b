"""Links to the dashboards: the staff navigation, the home page and the Wagtail admin menu."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import selectors


@hooks.register("portal_staff_nav")
def reports_staff_nav(request):
    viewer = selectors.viewer_for(request.user)
    if viewer is None:
        return []
    items = [{"url": reverse("reports:dashboard"), "label": _("Compliance dashboard")}]
    if viewer.everything:
        items.append({"url": reverse("reports:regulator"), "label": _("Regulator report")})
    return items


@hooks.register("portal_home_panels")
def reports_home_panel(request):
    viewer = selectors.viewer_for(request.user)
    if viewer is None:
        return None
    total = selectors.headline(viewer=viewer)
    return render_to_string("reports/home_panel.html", {"total": total, "viewer": viewer}, request=request)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.viewer_for(request.user) is not None


@hooks.register("register_admin_menu_item")
def reports_admin_menu_item():
    return DashboardMenuItem(_("Compliance dashboard"), reverse("reports:dashboard"), icon_name="table", order=850)
