"""Hotline pages.

Public pages (intake, follow-up, language) are login-free, session-free and CSRF-cookie-free:
they carry signed form tokens instead (see `tokens`). The handlers' pages under /hotline/cases/
need a login, MFA, an active designation in the register and, per case, a sealed key.
"""

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import Person

from . import casework, crypto, handlers, keysession, limits, records, reporter, selectors, tokens
from .forms import (
    ConflictForm,
    EntryForm,
    FollowupLoginForm,
    GrantForm,
    IdentityForm,
    IntakeForm,
    KeySetupForm,
    MeasureForm,
    RecoverForm,
    ReporterReplyForm,
    StatusForm,
    UnlockForm,
)
from .models import Case, CaseFile, IdentityRequest

# --- public pages ---------------------------------------------------------------------------


def _fallback_contact() -> str:
    return getattr(settings, "HOTLINE_FALLBACK_CONTACT", "") or _(
        "the external corporate-ethics desk run by the company's outside lawyers (see the notice board "
        "or the employee handbook for its telephone number and postal address)"
    )


def _uploads(request) -> tuple[list[records.Upload], list[str]]:
    uploads = [records.Upload(name=f.name, data=f.read()) for f in request.FILES.getlist("attachments")]
    oversized = getattr(request, "hotline_oversized", [])
    return uploads, [
        _("%(name)s is larger than 10 MB.") % {"name": (name or "").rsplit("/", 1)[-1]} for name in oversized
    ]


def _intake_busy(request, form):
    """The global ceiling is reached: keep the reporter's entries on the page and say what to do."""
    minutes = max(1, -(-limits.retry_after_seconds() // 60))
    form.add_error(
        None,
        _(
            "The hotline is receiving an unusually large number of reports right now, so yours has not been "
            "sent. Nothing has been stored. Your entries are still on this page (attachments must be chosen "
            "again): please send them in about %(minutes)d minutes. If it cannot wait, you can also contact "
            "%(fallback)s."
        )
        % {"minutes": minutes, "fallback": _fallback_contact()},
    )
    response = render(
        request, "whistleblowing/intake.html", {"form": form, "form_token": tokens.intake_token()}, status=429
    )
    response["Retry-After"] = str(limits.retry_after_seconds())
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def intake(request):
    if not selectors.receiving_handlers().exists():
        return render(request, "whistleblowing/unavailable.html", {"fallback": _fallback_contact()}, status=503)
    # Every designated handler can be excluded, also one without a key yet: the exclusion then
    # stops anyone from granting them the case later. The page shows names only; a choice is
    # the designation's number, not the person's.
    designations = list(selectors.active_designations().order_by("person__family_name", "person__given_name", "pk"))
    form = IntakeForm(request.POST or None, request.FILES or None, designations=designations)
    if request.method == "POST":
        if not form.is_bound:  # an empty body: nothing to check entries against, nothing filed
            form = IntakeForm({}, designations=designations)
        opened = tokens.intake_token_open(request.POST.get("form_token", ""))
        nonce = opened[0] if opened else None
        uploads, upload_errors = _uploads(request)
        if nonce is None:
            form.add_error(None, _("This form has expired. Please check your entries and send it again."))
        elif opened[1] < tokens.intake_token_min_age():
            # Sent faster than a person could write a report: a script, or a double click.
            nonce = None
            form.add_error(None, _("Please take a moment to check your entries, then send the report again."))
        for message in upload_errors:
            form.add_error("attachments", message)
        if nonce is not None and form.is_valid() and not upload_errors:
            data = form.cleaned_data
            report = reporter.ReportInput(
                category=data["category"],
                what=data["what"],
                when=data["when"],
                where=data["where"],
                people=data["people"],
                identity=data["identity"],
                excluded_handler_ids=[d.person_id for d in designations if str(d.pk) in data["excluded"]],
            )
            try:
                records.check_uploads(uploads)
                if not limits.intake_allowed():
                    return _intake_busy(request, form)
                if not reporter.intake_nonce_use(nonce=nonce):
                    return render(request, "whistleblowing/already_sent.html", status=409)
                case, receipt = reporter.report_submit(report=report, uploads=uploads)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return _receipt_page(request, receipt)
    return render(request, "whistleblowing/intake.html", {"form": form, "form_token": tokens.intake_token()})


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def followup(request):
    form = FollowupLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case, report_key = reporter.followup_open(code=form.cleaned_data["code"])
        except reporter.FollowupDelayed as exc:
            form.add_error(
                None,
                _(
                    "Your code has not been checked yet. Wrong receipt codes were entered recently (not "
                    "necessarily by you), so the hotline waits a few seconds between attempts for everyone: it "
                    "cannot tell reporters apart, because it records nothing about you. Please enter your code "
                    "again in %(seconds)d seconds."
                )
                % {"seconds": exc.seconds},
            )
        except reporter.ReceiptRejected:
            form.add_error("code", _("This receipt code was not recognised. Check it and try again."))
        else:
            return _reporter_case(request, case, report_key)
    return render(request, "whistleblowing/followup_login.html", {"form": form})


def _reporter_case(request, case, report_key, *, form=None, sent=False, status=200):
    context = {
        "case": case,
        "content": crypto.decrypt_json(report_key, case.content_box),
        "entries": casework.decrypt_entries(case=case, report_key=report_key, for_reporter=True),
        "files": casework.decrypt_files(case=case, report_key=report_key),
        "form": form or ReporterReplyForm(),
        "token": tokens.followup_token(case_public_id=case.public_id, report_key=report_key),
        "sent": sent,
    }
    return render(request, "whistleblowing/followup_case.html", context, status=status)


@login_not_required
@csrf_exempt
@require_POST
def followup_case(request):
    opened = tokens.followup_token_open(request.POST.get("token", ""))
    case = Case.objects.filter(public_id=opened[0]).first() if opened else None
    if case is None:
        expired = _("Your follow-up page has expired. Enter your receipt code again.")
        return render(
            request, "whistleblowing/followup_login.html", {"form": FollowupLoginForm(), "error": expired}, status=403
        )
    report_key = opened[1]
    if request.POST.get("action") != "reply":
        return _reporter_case(request, case, report_key)
    form = ReporterReplyForm(request.POST, request.FILES)
    uploads, upload_errors = _uploads(request)
    for message in upload_errors:
        form.add_error("attachments", message)
    if form.is_valid() and not upload_errors:
        try:
            reporter.reporter_reply(case=case, report_key=report_key, text=form.cleaned_data["text"], uploads=uploads)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            case.refresh_from_db()
            return _reporter_case(request, case, report_key, sent=True)
    return _reporter_case(request, case, report_key, form=form, status=400)


def _receipt_page(request, receipt):
    token = tokens.receipt_token(code=receipt.code)
    return render(request, "whistleblowing/receipt.html", {"receipt": receipt, "receipt_token": token})


def _set_language_cookie(response, lang: str) -> None:
    if lang in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=None,
            path="/",
            samesite="Lax",
            httponly=True,
            secure=settings.LANGUAGE_COOKIE_SECURE,  # true in production, as for the portal's own switch
        )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def language(request):
    """Switch language with a cookie that ends with the browser session (no CSRF cookie needed).

    A link (GET) goes back to the page it came from. The receipt page and a follow-up page cannot
    be fetched again, so they post what they show (the receipt, or the follow-up token) and are
    shown again in the new language, instead of an empty form or a 405.
    """
    if request.method == "POST":
        lang = request.POST.get("lang", "")
        if lang in dict(settings.LANGUAGES):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        receipt = tokens.receipt_token_open(request.POST.get("receipt", ""))
        opened = tokens.followup_token_open(request.POST.get("token", ""))
        case = Case.objects.filter(public_id=opened[0]).first() if opened else None
        if receipt is not None:
            response = _receipt_page(request, receipt)
        elif case is not None:
            response = _reporter_case(request, case, opened[1])
        else:
            expired = _("Your follow-up page has expired. Enter your receipt code again.")
            form = FollowupLoginForm()
            response = render(
                request, "whistleblowing/followup_login.html", {"form": form, "error": expired}, status=403
            )
        _set_language_cookie(response, lang)
        return response
    target = request.GET.get("next", "")
    if not (target.startswith("/hotline/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        target = reverse("whistleblowing:intake")
    response = HttpResponseRedirect(target)
    _set_language_cookie(response, request.GET.get("lang", ""))
    return response


# --- handler pages ------------------------------------------------------------------------


def handler_required(view):
    """Login (global middleware), an active designation in the register and a TOTP device.

    Everyone else gets 404, superusers included: the register decides, not a permission flag.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not selectors.is_designated(person=request.user):
            raise Http404
        from allauth.mfa.models import Authenticator

        if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _case_or_404(request, public_id) -> Case:
    case = Case.objects.filter(public_id=public_id).first()
    if case is None or selectors.case_key_for(case=case, person=request.user) is None:
        raise Http404
    return case


def _unlocked_or_redirect(request):
    private_key = keysession.load(request)
    if private_key is None:
        if selectors.handler_key_for(person=request.user) is None:
            return None, redirect("whistleblowing:key_setup")
        return None, redirect(f"{reverse('whistleblowing:unlock')}?next={request.path}")
    return private_key, None


def _report_key(request, case):
    private_key, response = _unlocked_or_redirect(request)
    if response is not None:
        return None, response
    try:
        return casework.case_report_key(case=case, handler=request.user, private_key=private_key), None
    except casework.CaseAccessDenied:
        raise Http404


@handler_required
@require_GET
def case_list(request):
    if selectors.handler_key_for(person=request.user) is None:
        return redirect("whistleblowing:key_setup")
    today = timezone.localdate()
    cases = list(selectors.cases_for_handler(person=request.user))
    rows = [(case, selectors.case_deadlines(case, today=today)) for case in cases]
    casework.record_case_list_view(handler=request.user)
    return render(
        request,
        "whistleblowing/case_list.html",
        {"rows": rows, "unlocked": keysession.load(request) is not None},
    )


@handler_required
@require_http_methods(["GET", "POST"])
def key_setup(request):
    if selectors.handler_key_for(person=request.user) is not None:
        return redirect("whistleblowing:case_list")
    form = KeySetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = handlers.handler_key_setup(person=request.user, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("passphrase", message)
        else:
            private_key = handlers.handler_key_unlock(person=request.user, passphrase=form.cleaned_data["passphrase"])
            response = render(request, "whistleblowing/recovery_key.html", {"recovery_key": recovery})
            keysession.store(request, response, private_key)
            return response
    return render(request, "whistleblowing/key_setup.html", {"form": form})


def _safe_next(request, default="whistleblowing:case_list") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/hotline/cases/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse(default)


@handler_required
@require_http_methods(["GET", "POST"])
def unlock(request):
    if selectors.handler_key_for(person=request.user) is None:
        return redirect("whistleblowing:key_setup")
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private_key = handlers.handler_key_unlock(person=request.user, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as exc:
            form.add_error("passphrase", exc.messages[0])
        else:
            response = redirect(_safe_next(request))
            keysession.store(request, response, private_key)
            return response
    return render(request, "whistleblowing/unlock.html", {"form": form, "next": _safe_next(request)})


@handler_required
@require_POST
def lock(request):
    response = redirect("whistleblowing:case_list")
    keysession.clear(request, response)
    messages.info(request, _("Your hotline key is locked."))
    return response


@handler_required
@require_http_methods(["GET", "POST"])
def recover(request):
    if selectors.handler_key_for(person=request.user) is None:
        return redirect("whistleblowing:key_setup")
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private_key, recovery = handlers.handler_key_recover(
                person=request.user,
                recovery_key=form.cleaned_data["recovery_key"],
                new_passphrase=form.cleaned_data["passphrase"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            response = render(
                request, "whistleblowing/recovery_key.html", {"recovery_key": recovery, "recovered": True}
            )
            keysession.store(request, response, private_key)
            return response
    return render(request, "whistleblowing/recover.html", {"form": form})


@handler_required
@require_http_methods(["GET", "POST"])
def register(request):
    """The register as handlers see it: who is designated, and proposals a handler may approve
    as the second person (compliance staff do the same in the Wagtail admin)."""
    if request.method == "POST":
        designation = get_object_or_404(selectors.proposed_designations(), pk=request.POST.get("designation") or 0)
        try:
            handlers.designation_approve(designation=designation, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The designation is approved. Every handler is told of the change."))
        return redirect("whistleblowing:register")
    context = {
        "designations": selectors.active_designations().order_by("person__family_name", "person__given_name", "pk"),
        "proposals": selectors.proposed_designations().order_by("designated_on", "pk"),
    }
    return render(request, "whistleblowing/register.html", context)


@handler_required
@require_http_methods(["GET", "POST"])
def case_conflict(request, public_id):
    case = _case_or_404(request, public_id)
    if selectors.has_declared(case=case, person=request.user):
        return redirect("whistleblowing:case_detail", public_id=case.public_id)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        has_conflict = form.cleaned_data["declaration"] == "yes"
        try:
            casework.conflict_declare(case=case, handler=request.user, has_conflict=has_conflict)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            if has_conflict:
                messages.info(request, _("Your declaration is recorded and you no longer have access to this case."))
                return redirect("whistleblowing:case_list")
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
    else:
        casework.record_case_view(handler=request.user, case=case, page="conflict")
    sole_handler = not case.keys.exclude(handler=request.user).exists()
    return render(
        request, "whistleblowing/case_conflict.html", {"case": case, "form": form, "sole_handler": sole_handler}
    )


def _detail(request, case, report_key, *, forms=None, identity=None, status=200):
    forms = forms or {}
    opened = casework.case_open(case=case, handler=request.user, report_key=report_key)
    allowed = casework.TRANSITIONS.get(case.status, set())
    status_form = forms.get("status") or StatusForm()
    status_form.fields["status"].choices = [(s.value, s.label) for s in Case.Status if s in allowed]
    candidates = [
        h for h in selectors.grant_candidates(case=case) if h.pk not in set(opened.content.get("excluded", []))
    ]
    context = {
        "case": case,
        "opened": opened,
        "deadlines": selectors.case_deadlines(case),
        "status_form": status_form,
        "entry_form": forms.get("entry") or EntryForm(),
        "grant_form": forms.get("grant") or GrantForm(candidates=candidates),
        "measure_form": forms.get("measure") or MeasureForm(),
        "identity_form": forms.get("identity") or IdentityForm(),
        "identity": identity,
        "identity_requests": selectors.identity_requests(case=case),
        "my_identity_request": selectors.identity_request_of(case=case, person=request.user),
        "can_add_measures": case.status == Case.Status.SUBSTANTIATED,
        "handlers_on_case": Person.objects.filter(hotline_case_keys__case=case).order_by("family_name", "email"),
    }
    return render(request, "whistleblowing/case_detail.html", context, status=status)


def _case_for_work(request, public_id):
    """The case, its report key, or a response (redirect to declare/unlock)."""
    case = _case_or_404(request, public_id)
    if not selectors.has_declared(case=case, person=request.user):
        return case, None, redirect("whistleblowing:case_conflict", public_id=case.public_id)
    report_key, response = _report_key(request, case)
    return case, report_key, response


@handler_required
@require_GET
def case_detail(request, public_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    return _detail(request, case, report_key)


@handler_required
@require_POST
def case_status(request, public_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            casework.case_change_status(
                case=case,
                handler=request.user,
                report_key=report_key,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The status has been changed and the reporter notified."))
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
    return _detail(request, case, report_key, forms={"status": form}, status=400)


@handler_required
@require_POST
def case_entry(request, public_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            casework.case_add_entry(
                case=case,
                handler=request.user,
                report_key=report_key,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                is_feedback=form.cleaned_data["is_feedback"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Saved."))
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
    return _detail(request, case, report_key, forms={"entry": form}, status=400)


@handler_required
@require_POST
def case_grant(request, public_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    form = GrantForm(request.POST, candidates=selectors.grant_candidates(case=case))
    if form.is_valid():
        grantee = Person.objects.get(pk=form.cleaned_data["handler"])
        try:
            casework.case_grant(case=case, granter=request.user, grantee=grantee, report_key=report_key)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("%(person)s can now open this case.") % {"person": grantee})
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
    return _detail(request, case, report_key, forms={"grant": form}, status=400)


@handler_required
@require_POST
def case_measure(request, public_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    form = MeasureForm(request.POST)
    if form.is_valid():
        try:
            casework.measure_add(case=case, handler=request.user, report_key=report_key, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The corrective measure has been recorded."))
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
    return _detail(request, case, report_key, forms={"measure": form}, status=400)


@handler_required
@require_POST
def case_identity(request, public_id):
    """Three steps, each recorded: ask with a reason, a second handler approves, the asker reads."""
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    action = request.POST.get("action", "request")
    form = IdentityForm(request.POST)
    try:
        if action == "request":
            if form.is_valid():
                casework.identity_request(
                    case=case, handler=request.user, report_key=report_key, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Your request is recorded. Another handler on the case must approve it."))
                return redirect("whistleblowing:case_detail", public_id=case.public_id)
        elif action == "approve":
            identity_request = get_object_or_404(IdentityRequest, case=case, pk=request.POST.get("request") or 0)
            casework.identity_approve(identity_request=identity_request, handler=request.user, report_key=report_key)
            messages.success(request, _("You approved the request to see the reporter's identity."))
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
        elif action == "reveal":
            identity = casework.identity_reveal(case=case, handler=request.user, report_key=report_key)
            return _detail(request, case, report_key, identity=identity)
        else:
            raise Http404
    except ValidationError as exc:
        if action != "request":  # nothing typed to keep: say why on the case page
            for message in exc.messages:
                messages.error(request, message)
            return redirect("whistleblowing:case_detail", public_id=case.public_id)
        for message in exc.messages:
            form.add_error(None, message)
    return _detail(request, case, report_key, forms={"identity": form}, status=400)


@handler_required
@require_GET
def case_file(request, public_id, file_id):
    case, report_key, response = _case_for_work(request, public_id)
    if response is not None:
        return response
    case_file = get_object_or_404(CaseFile, case=case, public_id=file_id)
    original = request.GET.get("original") == "1"
    try:
        meta, data = casework.case_file_open(
            case_file=case_file, handler=request.user, report_key=report_key, original=original
        )
    except ValidationError:
        raise Http404
    response = HttpResponse(data, content_type=meta["type"])
    ascii_name = meta["name"].encode("ascii", "ignore").decode() or "attachment"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name.replace(chr(34), '')}\"; filename*=UTF-8''{quote(meta['name'])}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
