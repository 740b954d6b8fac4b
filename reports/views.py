"""Dashboards, exports, named results, xAPI and the regulator report.

Every view starts from `selectors.viewer_for`: no viewer (employees, site administrators
without the training role) and any unit or person outside the viewer's subtrees answer 404.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from people.models import Unit

from . import charts, exports, selectors, services, xapi
from .models import ExportJob, IssuedReport
from .tasks import run_export


def _viewer(request) -> selectors.Viewer:
    viewer = selectors.viewer_for(request.user)
    if viewer is None:
        raise Http404
    return viewer


def _admin_viewer(request) -> selectors.Viewer:
    viewer = _viewer(request)
    if not viewer.everything:
        raise Http404
    return viewer


def _scope(request, viewer: selectors.Viewer, unit_code: str | None):
    """(unit, unit_ids, cycle) for the request; 404 for a unit the viewer may not see."""
    params = request.POST if request.method == "POST" else request.GET
    cycle = selectors.clean_cycle(params.get("cycle"))
    tree = selectors.UnitTree.load()
    try:
        unit, unit_ids = selectors.resolve_scope(viewer=viewer, unit_code=unit_code, tree=tree)
    except Unit.DoesNotExist:
        raise Http404 from None
    return unit, unit_ids, cycle


def _scope_detail(unit, cycle: str) -> dict:
    return {"unit": unit.code if unit else "", "cycle": cycle}


def _query(unit_code: str | None, cycle: str) -> str:
    parts = []
    if unit_code:
        parts.append(f"unit={unit_code}")
    if cycle != selectors.CURRENT:
        parts.append(f"cycle={cycle}")
    return "?" + "&".join(parts) if parts else ""


@require_GET
def dashboard(request, unit_code: str | None = None):
    viewer = _viewer(request)
    try:
        cycle = selectors.clean_cycle(request.GET.get("cycle"))
    except selectors.BadRequest as exc:
        messages.error(request, str(exc))
        cycle = selectors.CURRENT
    try:
        board = selectors.dashboard(viewer=viewer, cycle=cycle, unit_code=unit_code)
    except Unit.DoesNotExist:
        raise Http404 from None
    # The overdue count is the dashboard's own (the same population and definition), not a second count.
    overdue_count = board.total.overdue
    overdue_first = list(selectors.overdue_assignments(cycle=cycle, unit_ids=board.unit_ids)[:10])
    if overdue_first:
        # Named people with overdue training are individual results.
        audit_record(
            actor=request.user,
            action="reports.overdue_viewed",
            detail={**_scope_detail(board.unit, cycle), "shown": [a.person.employee_number for a in overdue_first]},
        )
    period = selectors.cycle_period(cycle)
    context = {
        "board": board,
        "cycle_choices": selectors.cycle_choices(),
        "donut": charts.donut(board.total),
        "trend": charts.trend_chart(board.trend),
        "bars": {
            name: [(row, charts.bar(row.counts)) for row in rows]
            for name, rows in (
                ("units", board.units),
                ("companies", board.companies),
                ("employment_types", board.employment_types),
                ("job_roles", board.job_roles),
                ("modules", board.modules),
            )
        },
        "weak_points": selectors.weak_points(dashboard=board, request=request),
        # The link into the question bank's editor is for those Wagtail lets in: anyone else
        # (a manager) bounced between /admin/ and the login page.
        "may_edit_questions": request.user.has_perms(["wagtailadmin.access_admin", "quizzes.change_questionbank"]),
        "attestations": selectors.attestation_completion(unit_ids=board.unit_ids),
        "checklists": selectors.checklist_completion(
            unit_ids=board.unit_ids, since=period[0] if period else None, until=period[1] if period else None
        ),
        "overdue": overdue_first,
        "overdue_count": overdue_count,
        # Not "query": base.html fills the header search box from a context variable of that name.
        "scope_query": _query(board.unit.code if board.unit else None, cycle),
        "unit_query": _query(None, cycle),
        "tables": exports.TABLE_NAMES,
        "xapi_configured": bool(xapi.lrs_settings()[0]),
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
def overdue_list(request):
    viewer = _viewer(request)
    try:
        unit, unit_ids, cycle = _scope(request, viewer, request.GET.get("unit") or None)
    except selectors.BadRequest as exc:
        return _bad_request(request, exc)
    rows = selectors.overdue_assignments(cycle=cycle, unit_ids=unit_ids)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="reports.overdue_viewed",
        detail={
            **_scope_detail(unit, cycle),
            "page": page.number,
            "shown": [a.person.employee_number for a in page.object_list],
        },
    )
    checklists = list(selectors.overdue_checklists(unit_ids=unit_ids)[:100])
    return render(
        request,
        "reports/overdue.html",
        {
            "unit": unit,
            "cycle": cycle,
            "page": page,
            "checklists": checklists,
            "scope_query": _query(unit.code if unit else None, cycle),
        },
    )


@require_GET
def person_results(request, employee_number: str):
    viewer = _viewer(request)
    if "\x00" in employee_number:  # no employee number holds NUL, and PostgreSQL refuses it in a query
        raise Http404
    person = selectors.person_in_scope(viewer=viewer, employee_number=employee_number)
    if person is None:
        raise Http404
    audit_record(actor=request.user, action="reports.person_results_viewed", target=person)
    return render(
        request,
        "reports/person.html",
        {"person": person, **selectors.person_results(person=person), "now": timezone.now()},
    )


def _bad_request(request, exc: Exception) -> HttpResponse:
    return render(request, "reports/bad_request.html", {"message": str(exc)}, status=400)


@require_GET
def export(request, table: str, fmt: str):
    viewer = _viewer(request)
    if table not in exports.TABLE_NAMES or fmt not in ("csv", "xlsx"):
        raise Http404
    return _start_export(request, viewer, table=table, fmt=fmt)


def _start_export(request, viewer, *, table: str, fmt: str) -> HttpResponse:
    """Every export, whatever its size, is a job: stored with its SHA-256, listed with who asked."""
    try:
        unit, unit_ids, cycle = _scope(request, viewer, request.GET.get("unit") or None)
    except selectors.BadRequest as exc:
        return _bad_request(request, exc)
    job = services.export_job_create(
        actor=request.user,
        table=table,
        fmt=fmt,
        cycle=cycle,
        unit_ids=unit_ids,
        unit_code=unit.code if unit else None,
        scope=_scope_detail(unit, cycle),
    )
    run_export.enqueue(job.pk)
    return redirect("reports:export_job", pk=job.pk)


def _own_job(request, pk: int) -> ExportJob:
    _viewer(request)
    return get_object_or_404(ExportJob, pk=pk, requested_by=request.user)


@require_GET
def export_job(request, pk: int):
    job = _own_job(request, pk)
    return render(request, "reports/export_job.html", {"job": job, "table_name": exports.JOB_NAMES.get(job.table)})


@require_GET
def export_jobs(request):
    """Exports with who asked for them: training administrators see everyone's, managers their own."""
    viewer = _viewer(request)
    rows = selectors.export_jobs(viewer=viewer)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reports/export_jobs.html", {"page_obj": page, "tables": exports.JOB_NAMES})


@require_GET
def export_job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    audit_record(
        actor=request.user,
        action="reports.export_downloaded",
        target=job,
        detail={"file": job.filename, "sha256": job.sha256},
    )
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["X-Content-SHA256"] = job.sha256
    return response


@require_GET
def xapi_export(request):
    return _start_export(request, _viewer(request), table="xapi", fmt="json")


@require_POST
def xapi_push(request):
    viewer = _admin_viewer(request)
    try:
        unit, unit_ids, cycle = _scope(request, viewer, request.POST.get("unit") or None)
        sent = services.xapi_push(actor=request.user, cycle=cycle, unit_ids=unit_ids, scope=_scope_detail(unit, cycle))
    except (selectors.BadRequest, xapi.LRSError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)s statements sent to the learning-record store.") % {"count": sent})
    return redirect(reverse("reports:dashboard") + _query(None, request.POST.get("cycle") or selectors.CURRENT))


@require_http_methods(["GET", "POST"])
def regulator(request):
    _admin_viewer(request)
    today = timezone.localdate()
    start_default = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    form = {"start": start_default.isoformat(), "end": today.isoformat()}
    status = 200
    if request.method == "POST":
        form = {"start": request.POST.get("start", ""), "end": request.POST.get("end", "")}
        try:
            start, end = selectors.clean_period(form["start"], form["end"])
            report = services.regulator_report_issue(request=request, actor=request.user, start=start, end=end)
        except (selectors.BadRequest, ValidationError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            status = 400
        else:
            messages.success(request, _("The report was issued and stored with its SHA-256."))
            return redirect("reports:regulator_detail", pk=report.pk)
    return render(
        request,
        "reports/regulator.html",
        {"form": form, "reports": selectors.issued_reports()[:100]},
        status=status,
    )


@require_GET
def regulator_detail(request, pk: int):
    _admin_viewer(request)
    report = get_object_or_404(selectors.issued_reports(), pk=pk)
    return render(request, "reports/regulator_detail.html", {"report": report})


@require_GET
def regulator_download(request, pk: int):
    _admin_viewer(request)
    report = get_object_or_404(IssuedReport, pk=pk)
    audit_record(actor=request.user, action="reports.regulator_report_downloaded", target=report)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    response["X-Content-SHA256"] = report.sha256
    return response
