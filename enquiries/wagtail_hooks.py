from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from . import selectors


@hooks.register("portal_staff_nav")
def enquiry_queue_link(request):
    if not selectors.is_responder(request.user):
        return []
    return [{"url": reverse("enquiries:queue"), "label": _("Enquiry queue")}]


@hooks.register("portal_home_panels")
def enquiries_waiting_for_the_asker(request):
    if not request.user.is_authenticated:
        return None
    waiting = selectors.recently_updated_for(person=request.user)
    if not waiting:
        return None
    return render_to_string("enquiries/includes/home_panel.html", {"enquiries": waiting}, request=request)


@hooks.register("portal_home_panels")
def enquiry_queue_for_responders(request):
    """The desk's workload on a responder's home page: how many wait for an answer, how many are late."""
    if not selectors.is_responder(request.user):
        return None
    counts = selectors.queue_counts()
    return render_to_string(
        "enquiries/includes/queue_panel.html",
        {"waiting": counts.get("open", 0), "overdue": counts["overdue"]},
        request=request,
    )


@hooks.register("portal_rule_page_panels")
def ask_about_this_rule(request, page):
    return render_to_string("enquiries/includes/rule_panel.html", {"rule": page})
