"""Access monitoring's pages under /monitoring/: compliance auditors only.

Everyone else, the superuser and people with every permission included, gets 404 for every
page, so a URL does not confirm that monitoring holds anything about anyone. Every page that
shows findings, events, imports or the id register writes an audit entry; every change goes
through `services`, which checks the role again and audits it.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record

from . import selectors, services
from .forms import (
    AssignTrainingForm,
    ContractPurposeForm,
    FindingFilterForm,
    FindingUpdateForm,
    LogSourceForm,
    NoteForm,
    RegisterEntryForm,
    RegisterFilterForm,
    RuleForm,
    TerminalForm,
    UploadForm,
)
from .import_errors import import_error_message, is_legacy
from .models import ContractPurpose, Finding, LogImport, LogSource, Rule, System

PAGE_SIZE = 50


def _auditor_or_404(request) -> None:
    if not selectors.is_auditor(request.user):
        raise Http404


def _apply(form, fn) -> bool:
    """Run a service; show its refusal on the form instead of failing the request."""
    try:
        fn()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    except PermissionError:
        raise Http404 from None
    return True


def _filter_query(filters: dict) -> str:
    parts = [f"{key}={value}" for key, value in filters.items() if value not in (None, "")]
    return "&".join(parts)


def dashboard(request):
    _auditor_or_404(request)
    board = selectors.dashboard()
    audit_record(actor=request.user, action="monitoring.dashboard_viewed")
    return render(request, "monitoring/dashboard.html", {"board": board, "section": "dashboard"})


def finding_list(request):
    _auditor_or_404(request)
    form = FindingFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.findings(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="monitoring.findings_viewed",
        detail={**{k: v for k, v in filters.items() if v}, "page": page.number},
    )
    return render(
        request,
        "monitoring/finding_list.html",
        {
            "form": form,
            "findings": page,
            "query": _filter_query(filters),
            "counts": selectors.status_counts(),
            "section": "findings",
        },
    )


def _finding_or_404(pk: int) -> Finding:
    finding = selectors.finding_get(pk=pk)
    if finding is None:
        raise Http404
    return finding


def finding_detail(request, pk: int, *, forms: dict | None = None):
    _auditor_or_404(request)
    finding = _finding_or_404(pk)
    forms = forms or {}
    events = selectors.finding_events(finding=finding)
    audit_record(actor=request.user, action="monitoring.finding_viewed", target=finding, detail={"events": len(events)})
    context = {
        "finding": finding,
        "events": events,
        "events_limited": len(events) >= selectors.EVENTS_SHOWN,
        "notes": selectors.finding_notes(finding=finding),
        "register": selectors.finding_register_entry(finding=finding),
        "explanation": selectors.rule_explanation(finding.rule),
        "update_form": forms.get("update")
        or FindingUpdateForm(
            prefix="update",
            initial={"status": finding.status, "assignee": finding.assignee_id, "outcome": finding.outcome},
        ),
        "note_form": forms.get("note") or NoteForm(prefix="note"),
        "training_form": forms.get("training")
        or (AssignTrainingForm(prefix="training", has_unit=bool(finding.unit_id)) if finding.person_id else None),
        "section": "findings",
    }
    return render(request, "monitoring/finding_detail.html", context, status=400 if forms else 200)


@require_POST
def finding_update(request, pk: int):
    _auditor_or_404(request)
    finding = _finding_or_404(pk)
    form = FindingUpdateForm(request.POST, prefix="update")
    if form.is_valid() and _apply(
        form,
        lambda: services.finding_update(
            finding=finding,
            by=request.user,
            status=form.cleaned_data["status"],
            assignee=form.cleaned_data["assignee"],
            outcome=form.cleaned_data["outcome"] or None,
        ),
    ):
        messages.success(request, _("The finding was updated."))
        return redirect("monitoring:finding_detail", pk=finding.pk)
    return finding_detail(request, pk, forms={"update": form})


@require_POST
def finding_note(request, pk: int):
    _auditor_or_404(request)
    finding = _finding_or_404(pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid() and _apply(
        form, lambda: services.finding_note_add(finding=finding, by=request.user, text=form.cleaned_data["text"])
    ):
        messages.success(request, _("Your note was added."))
        return redirect(reverse("monitoring:finding_detail", args=[finding.pk]) + "#notes")
    return finding_detail(request, pk, forms={"note": form})


@require_POST
def finding_training(request, pk: int):
    _auditor_or_404(request)
    finding = _finding_or_404(pk)
    if finding.person_id is None:
        raise Http404
    form = AssignTrainingForm(request.POST, prefix="training", has_unit=bool(finding.unit_id))
    done = {}

    def assign():
        done["result"] = services.finding_assign_training(
            finding=finding, by=request.user, module=form.cleaned_data["module"], scope=form.cleaned_data["scope"]
        )

    if form.is_valid() and _apply(form, assign):
        result = done["result"]
        count = len(result) if isinstance(result, list | tuple) else 1
        messages.success(
            request,
            _("%(module)s was assigned (%(count)d assignment(s)).")
            % {"module": form.cleaned_data["module"].title, "count": count},
        )
        return redirect("monitoring:finding_detail", pk=finding.pk)
    return finding_detail(request, pk, forms={"training": form})


@require_http_methods(["GET", "POST"])
def import_list(request):
    _auditor_or_404(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        done = {}
        started = timezone.now()

        def receive():
            # Registered now and imported by the task worker (a large file takes a while); the
            # same file again returns its first import.
            done["import"] = services.log_import_upload(
                source=form.cleaned_data["source"], filename=upload.name, content=upload, by=request.user
            )

        if _apply(form, receive):
            log_import = done["import"]
            if log_import.created_at < started:
                messages.warning(request, _("This file was imported before; nothing was added."))
            elif log_import.status == LogImport.Status.FAILED:
                messages.error(request, _("The file was refused; nothing was stored. See the reason below."))
            else:
                messages.success(request, _("The file was received."))
            return redirect("monitoring:import_detail", pk=log_import.pk)
    page = Paginator(selectors.imports(), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(actor=request.user, action="monitoring.imports_viewed", detail={"page": page.number})
    return render(
        request,
        "monitoring/import_list.html",
        {"form": form, "imports": page, "sources": selectors.sources(), "section": "imports"},
        status=400 if form.is_bound else 200,
    )


def import_detail(request, pk: int):
    _auditor_or_404(request)
    log_import = selectors.import_get(pk=pk)
    if log_import is None:
        raise Http404
    audit_record(actor=request.user, action="monitoring.import_viewed", target=log_import)
    errors = log_import.errors or []
    return render(
        request,
        "monitoring/import_detail.html",
        {
            "log_import": log_import,
            "errors": [
                {"line": error.get("line"), "message": import_error_message(error), "legacy": is_legacy(error)}
                for error in errors[:1000]
            ],
            "errors_more": max(0, len(errors) - 1000),
            "working": log_import.status in (LogImport.Status.PENDING, LogImport.Status.RUNNING),
            "section": "imports",
        },
    )


def rule_list(request):
    _auditor_or_404(request)
    rules = list(selectors.rules_with_figures())
    for rule in rules:
        rule.explanation = selectors.rule_explanation(rule)
        rule.form = RuleForm(rule=rule, prefix=f"rule-{rule.pk}", initial={"enabled": rule.enabled, **rule.params})
    audit_record(actor=request.user, action="monitoring.rules_viewed")
    return render(request, "monitoring/rule_list.html", {"rules": rules, "section": "rules"})


@transaction.atomic
@require_POST
def rule_update(request, pk: int):
    _auditor_or_404(request)
    rule = Rule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = RuleForm(request.POST, rule=rule, prefix=f"rule-{rule.pk}")
    if form.is_valid():
        services.rule_update(rule=rule, by=request.user, enabled=form.cleaned_data["enabled"], params=form.params())
        if rule.enabled:
            messages.success(request, _("%(rule)s is on.") % {"rule": rule.get_kind_display()})
        else:
            messages.warning(request, _("%(rule)s is off: it flags nothing until switched on.") % {"rule": rule})
    else:
        messages.error(request, _("The figures were not saved: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(reverse("monitoring:rule_list") + f"#rule-{rule.pk}")


@require_http_methods(["GET", "POST"])
def register(request):
    _auditor_or_404(request)
    entry_form = RegisterEntryForm(request.POST or None, prefix="entry")
    if request.method == "POST" and entry_form.is_valid():
        enter = partial(services.register_enter, by=request.user, **entry_form.service_arguments())
        if _apply(entry_form, enter):
            messages.success(
                request,
                _("%(id)s is in the register. Its views are checked again.")
                % {"id": entry_form.cleaned_data["account_id"].strip()},
            )
            return redirect("monitoring:register")
    form = RegisterFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {}) or {}
    system, query = data.get("system", ""), data.get("q", "")
    page = Paginator(selectors.register_entries(system=system, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action="monitoring.register_viewed",
        detail={"system": system, "q": query, "page": page.number},
    )
    system_labels = dict(System.choices)
    unknown = [
        {**row, "system_label": system_labels.get(row["source__system"], row["source__system"])}
        for row in selectors.unknown_accounts()[:100]
    ]
    return render(
        request,
        "monitoring/register.html",
        {
            "form": form,
            "entries": page,
            "query": _filter_query({"system": system, "q": query}),
            "unknown": unknown,
            "entry_form": entry_form,
            "section": "register",
        },
        status=400 if entry_form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def terminal_list(request):
    """The terminals the rules know, and those the logs name that nobody has placed yet."""
    _auditor_or_404(request)
    form = TerminalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save = partial(services.terminal_save, by=request.user, **data)
        if _apply(form, save):
            if data["is_shared_office"]:
                message = _("%(code)s is saved. Views from it are flagged, those already imported too.")
            else:
                message = _("%(code)s is saved.")
            messages.success(request, message % {"code": data["code"].strip()})
            return redirect("monitoring:terminal_list")
    registered, unregistered = selectors.terminals()
    context = {
        "registered": registered,
        "unregistered": unregistered,
        "days": selectors.TERMINALS_SEEN_DAYS,
        "form": form,
        "section": "terminals",
    }
    return render(request, "monitoring/terminal_list.html", context, status=400 if form.errors else 200)


def contract_list(request):
    _auditor_or_404(request)
    context = {"purposes": selectors.contract_purposes(), "today": timezone.localdate(), "section": "contracts"}
    return render(request, "monitoring/contract_list.html", context)


def _edit_page(request, form, save, *, saved: str, done: str, heading: str, back: str, note: str, section: str):
    """A page with one form that adds or changes a setting through `save` (a service taking the form's
    `service_arguments()`), or shows the form again with what stopped it."""
    if request.method == "POST" and form.is_valid() and _apply(form, partial(save, **form.service_arguments())):
        messages.success(request, saved)
        return redirect(done)
    context = {"form": form, "heading": heading, "back": (reverse(done), back), "note": note, "section": section}
    return render(request, "monitoring/edit_page.html", context, status=400 if form.errors else 200)


def _object_or_404(queryset, pk: int | None):
    """None for a new object; the object `pk` names, or 404."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int | None = None):
    """Add a contract purpose, or change one (`pk`)."""
    _auditor_or_404(request)
    purpose = _object_or_404(ContractPurpose.objects.select_related("company"), pk)
    return _edit_page(
        request,
        ContractPurposeForm(request.POST or None, purpose=purpose),
        partial(services.contract_purpose_save, by=request.user, purpose=purpose),
        saved=_("The contract purpose is saved. The contractor's views are checked again."),
        done="monitoring:contract_list",
        heading=_("Change a contract purpose") if purpose else _("Add a contract purpose"),
        back=_("Contract purposes"),
        note=_(
            "When it is saved, the rules check the contractor's views already imported again. Findings already "
            "made stay; close them with their outcome."
        ),
        section="contracts",
    )


def source_list(request):
    """How each system's export file reads: the imports depend on it, so it sits with them."""
    _auditor_or_404(request)
    sources = LogSource.objects.order_by("code")
    return render(request, "monitoring/source_list.html", {"sources": sources, "section": "imports"})


@require_http_methods(["GET", "POST"])
def source_edit(request, pk: int | None = None):
    """Add a log source, or change one (`pk`)."""
    _auditor_or_404(request)
    source = _object_or_404(LogSource.objects.all(), pk)
    return _edit_page(
        request,
        LogSourceForm(request.POST or None, source=source),
        partial(services.log_source_save, by=request.user, source=source),
        saved=_("The log source is saved. Files imported from now on are read this way."),
        done="monitoring:source_list",
        heading=_("Change a log source") if source else _("Add a log source"),
        back=_("Log sources"),
        note=_(
            "Files already imported are not read again. A changed list of non-public record types makes the "
            "rules check this source's views again."
        ),
        section="imports",
    )
