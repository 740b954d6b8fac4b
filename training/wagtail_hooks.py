from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from people.roles import TRAINING_ADMINISTRATORS

from . import personal_panels, selectors
from .models import Assignment, AttestationDocument


@hooks.register("portal_home_panels")
def training_home_panel(request):
    """Open training with due dates, documents to acknowledge and transfer checklists to do or countersign."""
    user = request.user
    if not user.is_authenticated:
        return None

    def render() -> str:
        open_assignments = selectors.open_assignments(person=user)
        attestations = selectors.attestations_pending(person=user)
        to_confirm, to_countersign = selectors.open_checklists(person=user)
        if not (open_assignments or attestations or to_confirm or to_countersign):
            return ""  # cached too: "nothing to do" is the answer most of the year
        return render_to_string(
            "training/home_panel.html",
            {
                "assignments": open_assignments,
                "attestations": attestations,
                "to_confirm": to_confirm,
                "to_countersign": to_countersign,
            },
            request=request,
        )

    return personal_panels.cached_panel(user, "home", render) or None


@hooks.register("quiz_result_panels")
def training_next_step_after_a_pass(request, attempt):
    """After a passed module quiz: the certificate if the module is complete, else the lessons left."""
    prefix, _sep, rest = attempt.context.partition(":")
    if not attempt.passed or prefix != "assignment" or not rest.split(":")[0].isdigit():
        return None
    assignment = (
        Assignment.objects.filter(pk=int(rest.split(":")[0]), person=request.user)
        .select_related("module", "certificate")
        .first()
    )
    if assignment is None:
        return None
    certificate = getattr(assignment, "certificate", None)
    unread = len(set(assignment.module.lesson_keys()) - selectors.read_lesson_keys(assignment=assignment))
    return render_to_string(
        "training/includes/quiz_next_step.html",
        {"assignment": assignment, "certificate": certificate, "unread": unread},
        request=request,
    )


@hooks.register("portal_staff_nav")
def training_staff_nav(request):
    if request.user.is_authenticated and request.user.in_group(TRAINING_ADMINISTRATORS):
        return [{"url": reverse("training:manage"), "label": _("Training administration")}]
    return []


# Versions are not a snippet: they are published only through `services.attestation_publish_version`
# (the "Publish a new version" screen under /training/manage/attestations/), never edited in place.
class AttestationDocumentViewSet(SnippetViewSet):
    model = AttestationDocument
    icon = "doc-full-inverse"
    menu_label = _("Attestation documents")
    list_display = ["title", "slug"]


class TrainingViewSetGroup(SnippetViewSetGroup):
    items = (AttestationDocumentViewSet,)
    menu_icon = "doc-full-inverse"
    menu_label = _("Attestations")
    menu_name = "attestations"


register_snippet(TrainingViewSetGroup)
