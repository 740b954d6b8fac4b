from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record
from people.roles import TRAINING_ADMINISTRATORS

from . import personal_panels, selectors, services
from .forms import AttestationPublishForm, ExemptForm, ManualAssignForm, ResetAttemptsForm
from .models import Assignment, AttestationDocument, TrainingModulePage, TransferChecklist
from .pdf import certificate_pdf


def my_training(request):
    def render_content() -> str:
        current, history = selectors.my_assignments(person=request.user)
        to_confirm, to_countersign = selectors.open_checklists(person=request.user)
        return render_to_string(
            "training/includes/my_training_content.html",
            {
                "current": current,
                "history": history,
                "attestations": selectors.attestations_pending(person=request.user),
                "checklists": to_confirm,
                "to_countersign": to_countersign,
            },
            request=request,
        )

    content = personal_panels.cached_panel(request.user, "my-training", render_content)
    return render(request, "training/my_training.html", {"content": mark_safe(content)})  # noqa: S308 - our own template's output


def _module_context(request, module: TrainingModulePage) -> dict:
    assignment = selectors.current_assignment(person=request.user, module=module)
    read = selectors.read_lesson_keys(assignment=assignment) if assignment else set()
    lessons = [{"key": str(child.id), "block": child, "read": str(child.id) in read} for child in module.lesson_list()]
    steps = len(lessons) + (1 if module.quiz_id else 0)
    done = sum(1 for lesson in lessons if lesson["read"]) + (1 if assignment and assignment.quiz_passed_at else 0)
    return {
        "page": module,
        "assignment": assignment,
        "lessons": lessons,
        "steps": steps,
        "done": steps if assignment and assignment.status == Assignment.Status.COMPLETED else done,
        "all_read": all(lesson["read"] for lesson in lessons),
        "certificate": getattr(assignment, "certificate", None) if assignment else None,
        "quiz_facts": selectors.module_quiz_facts(module=module, assignment=assignment),
    }


def module_overview(request, module: TrainingModulePage):
    return TemplateResponse(request, "training/training_module_page.html", _module_context(request, module))


def module_lesson(request, module: TrainingModulePage, key: str):
    context = _module_context(request, module)
    lessons = context["lessons"]
    index = next((i for i, lesson in enumerate(lessons) if lesson["key"] == key), None)
    if index is None:
        raise Http404
    assignment = context["assignment"]
    records = assignment is not None and assignment.archived_at is None
    if request.method == "POST":
        if not records:
            messages.error(request, _("This module is not assigned to you, so reading is not recorded."))
            return redirect(module.url + module.reverse_subpage("lesson", args=[key]))
        try:
            services.lesson_mark_read(assignment=assignment, lesson_key=key)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(module.url + module.reverse_subpage("lesson", args=[key]) + "#lesson-end")
        if index + 1 < len(lessons):
            return redirect(module.url + module.reverse_subpage("lesson", args=[lessons[index + 1]["key"]]))
        return redirect(module.url)
    if records and not lessons[index]["read"]:
        # The server's own time of showing the lesson starts its reading time.
        services.lesson_open(assignment=assignment, lesson_key=key)
    context.update(
        {
            "end_url": module.url + module.reverse_subpage("lesson_end", args=[key]),
            "end_after": services.LESSON_END_MIN_SECONDS,
            "lesson": lessons[index],
            "number": index + 1,
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        }
    )
    return TemplateResponse(request, "training/lesson.html", context)


@require_POST
def module_lesson_end(request, module: TrainingModulePage, key: str):
    """The lesson page's script reports that the end of the lesson came into view (no content in reply)."""
    assignment = selectors.current_assignment(person=request.user, module=module)
    if assignment is None or assignment.archived_at is not None or key not in module.lesson_keys():
        raise Http404
    services.lesson_end_reached(assignment=assignment, lesson_key=key)
    return HttpResponse(status=204)


def module_take_quiz(request, module: TrainingModulePage):
    from quizzes.services import attempt_start

    if request.method != "POST":
        return redirect(module.url)
    assignment = selectors.current_assignment(person=request.user, module=module)
    if module.quiz is None or assignment is None or not assignment.is_open:
        messages.error(request, _("There is no quiz to take for this module."))
        return redirect(module.url)
    try:
        attempt = attempt_start(
            person=request.user, quiz=module.quiz, context=assignment.quiz_context, return_url=module.url
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(module.url)
    return redirect(reverse("quizzes:attempt", args=[attempt.public_id]))


# --- Attestations ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attestation(request, slug):
    document = get_object_or_404(AttestationDocument, slug=slug)
    if not document.audience_includes(request.user):
        raise Http404
    latest = selectors.current_version(document=document)
    if latest is None:
        raise Http404
    if request.method == "POST":
        try:
            services.attestation_acknowledge(person=request.user, version=latest)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("training:attestation", slug=slug)
        messages.success(request, _("Thank you. Your acknowledgement is recorded."))
        return redirect("training:my_training")
    pending = selectors.attestation_status(document=document, person=request.user)
    acknowledged = request.user.acknowledgements.filter(version=latest).first()
    return render(
        request,
        "training/attestation.html",
        {"document": document, "version": latest, "pending": pending, "acknowledged": acknowledged},
    )


# --- Transfer checklists -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checklist(request, pk):
    item = get_object_or_404(TransferChecklist.objects.select_related("person", "to_unit", "transfer"), pk=pk)
    if not selectors.checklist_visible_to(checklist=item, person=request.user):
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "countersign":
                services.checklist_countersign(checklist=item, manager=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Checklist countersigned."))
            else:
                services.checklist_confirm(checklist=item, person=request.user, items=request.POST.getlist("items"))
                messages.success(request, _("Thank you. Your manager will now countersign the checklist."))
        except PermissionError:
            raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("training:checklist", pk=item.pk)
    return render(
        request,
        "training/checklist.html",
        {
            "checklist": item,
            "items": TransferChecklist.Item.choices,
            "is_transferee": item.person_id == request.user.pk,
            "can_countersign": selectors.can_countersign(checklist=item, person=request.user),
        },
    )


# --- Administration ------------------------------------------------------------------------


def _require_admin(request) -> None:
    if not request.user.in_group(TRAINING_ADMINISTRATORS):
        raise Http404


def _filter(request, name: str, max_length: int = 100) -> str:
    """A list filter from the query string, without NUL and other control characters: PostgreSQL
    refuses NUL in a query parameter and in the audit entry's JSON."""
    value = request.GET.get(name, "")[:max_length]
    return "".join(ch for ch in value if ch.isprintable()).strip()


@require_http_methods(["GET", "POST"])
def manage(request):
    _require_admin(request)
    form = ManualAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_assign_manual(
                person=form.cleaned_data["person"],
                module=form.cleaned_data["module"],
                actor=request.user,
                due_date=form.cleaned_data.get("due_date"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Assigned: %(assignment)s") % {"assignment": assignment})
            return redirect("training:manage")
    module_id = _filter(request, "module") or None
    status, query = _filter(request, "status"), _filter(request, "q")
    rows = selectors.admin_assignments(
        module_id=int(module_id) if module_id and module_id.isascii() and module_id.isdigit() else None,
        status=status,
        query=query,
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    overdue_checklists = list(selectors.checklists_overdue()[:50])
    # Named people's training results are personal data: every look is on record.
    audit_record(
        actor=request.user,
        action="training.assignments_viewed",
        detail={
            "module": module_id or "",
            "status": status,
            "q": query,
            "page": page.number,
            "people": sorted({a.person_id for a in page}),
            "overdue_checklists": sorted({c.person_id for c in overdue_checklists}),
        },
    )
    return render(
        request,
        "training/manage.html",
        {
            "form": form,
            "page_obj": page,
            "modules": TrainingModulePage.objects.live().order_by("path"),
            "statuses": [*Assignment.Status.choices, ("overdue", _("Overdue")), ("archived", _("Archived"))],
            "filters": request.GET,
            "documents": AttestationDocument.objects.order_by("title"),
            "overdue_checklists": overdue_checklists,
        },
    )


def _assignment_decision(request, pk: int, *, form_class, decide, done: str, template: str):
    """An administrator's decision on one assignment, with a reason: the form, the service, the message."""
    _require_admin(request)
    assignment = get_object_or_404(Assignment.objects.select_related("person", "module"), pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("training:manage")
    return render(request, template, {"form": form, "assignment": assignment})


@require_http_methods(["GET", "POST"])
def exempt(request, pk):
    return _assignment_decision(
        request,
        pk,
        form_class=ExemptForm,
        decide=services.assignment_exempt,
        done=_("Exemption recorded."),
        template="training/exempt.html",
    )


@require_http_methods(["GET", "POST"])
def reset_attempts(request, pk):
    """A training administrator gives a failed-out person a new round of quiz attempts, with a reason."""
    return _assignment_decision(
        request,
        pk,
        form_class=ResetAttemptsForm,
        decide=services.assignment_reset_attempts,
        done=_("New attempts granted."),
        template="training/reset_attempts.html",
    )


@require_http_methods(["GET", "POST"])
def attestation_publish(request, slug):
    """Training administrators publish a new version of a document's wording, through the service."""
    _require_admin(request)
    document = get_object_or_404(AttestationDocument, slug=slug)
    latest = selectors.current_version(document=document)
    form = AttestationPublishForm(request.POST or None, initial={"body": latest.body if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.attestation_publish_version(
                document=document,
                body=form.cleaned_data["body"],
                material=form.cleaned_data["material"],
                change_note=form.cleaned_data["change_note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Version %(number)s published.") % {"number": version.number})
            return redirect("training:attestation_report", slug=document.slug)
    return render(request, "training/attestation_publish.html", {"form": form, "document": document, "latest": latest})


# --- Certificates ----------------------------------------------------------------------------


@never_cache
def certificate_download(request, pk):
    certificate = selectors.certificate_of_owner(pk=pk, person=request.user)
    if certificate is None:
        raise Http404
    response = HttpResponse(
        certificate_pdf(certificate=certificate, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@login_not_required
@never_cache
def certificate_verify(request, code=""):
    code = code or request.GET.get("code", "")
    if request.GET.get("code") and not request.resolver_match.kwargs.get("code"):
        normalised = selectors.normalise_code(code)
        if normalised:
            return redirect("certificates:verify", code=normalised)
    certificate = selectors.certificate_by_code(code=code) if code else None
    return render(
        request,
        "training/certificate_verify.html",
        {
            "code": code,
            "certificate": certificate,
            "expired": certificate is not None and certificate.is_expired(),
            "checked": bool(code),
        },
        status=200 if certificate or not code else 404,
    )


def attestation_report(request, slug):
    """Who acknowledged which version, for training administrators; every look is on record."""
    _require_admin(request)
    document = get_object_or_404(AttestationDocument, slug=slug)
    page = Paginator(selectors.acknowledgements_of(document=document), 100).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="training.acknowledgements_viewed",
        target=document,
        detail={"page": page.number, "people": sorted({a.person_id for a in page})},
    )
    return render(
        request,
        "training/attestation_report.html",
        {"document": document, "summary": selectors.attestation_summary(document=document), "page_obj": page},
    )
