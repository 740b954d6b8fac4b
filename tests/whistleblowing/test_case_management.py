"""Case management by handlers: declaration, statuses, notes, messages, measures, identity, audit."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEntry
from whistleblowing import casework, periodic, reporter
from whistleblowing.models import Case, CaseEntry, CaseKey, ConflictDeclaration

from .conftest import private_key


@pytest.fixture
def opened(handler, handler_client, file_report):
    """A filed case, its receipt, and a handler client that has declared no conflict."""
    case, receipt = file_report(what="CASE-CONTENT-MARKER", identity="Yamada Taro, 090-0000-0000")
    client = handler_client(handler)
    assert client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"}).status_code == 302
    return case, receipt, client


def _key(case, handler):
    return casework.case_report_key(case=case, handler=handler, private_key=private_key(handler))


def test_a_handler_must_declare_before_first_opening_a_case(handler, handler_client, file_report):
    case, _ = file_report(what="NOT-YET-VISIBLE")
    client = handler_client(handler)
    response = client.get(f"/hotline/cases/{case.public_id}/")
    assert response.status_code == 302 and response["Location"].endswith("/conflict/")
    page = client.get(response["Location"]).content.decode()
    assert "NOT-YET-VISIBLE" not in page
    assert not AuditEntry.objects.filter(action="hotline.case_decrypted").exists()


def test_declaring_a_conflict_removes_the_handlers_key(handler, make_handler, handler_client, file_report):
    colleague = make_handler("colleague2@example.jp")
    case, _ = file_report()
    client = handler_client(colleague)
    response = client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "yes"})
    assert response.status_code == 302
    assert not CaseKey.objects.filter(case=case, handler=colleague).exists()
    assert ConflictDeclaration.objects.get(case=case, handler=colleague).has_conflict
    assert client.get(f"/hotline/cases/{case.public_id}/").status_code == 404
    with pytest.raises(ValidationError):  # and nobody can grant it back to them
        casework.case_grant(case=case, granter=handler, grantee=colleague, report_key=_key(case, handler))


def test_a_sole_handler_declares_a_conflict_and_the_case_waits_for_a_new_designation(
    handler, compliance, make_handler, handler_client, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 14 item 13: the sole handler steps aside; compliance staff are told; the case is
    sealed to the next handler in the register when the reporter opens it again."""
    case, receipt = file_report(what="WAITING-CASE-MARKER")
    client = handler_client(handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "yes"})
    assert response.status_code == 302 and response["Location"] == "/hotline/cases/"
    assert not CaseKey.objects.filter(case=case).exists()
    declared = AuditEntry.objects.get(action="hotline.conflict_declared")
    assert declared.detail == {"has_conflict": True, "case_waits_for_handler": True}
    told = [m for m in mailoutbox if compliance.email in m.to]
    assert len(told) == 1 and "WAITING-CASE-MARKER" not in told[0].body and case.reference not in told[0].body
    assert "/admin/hotline_handlers/" in told[0].body
    # A new handler is designated; once the reporter opens the case it is theirs, not the conflicted one's.
    newcomer = make_handler("newcomer-after-conflict@example.jp")
    assert "WAITING-CASE-MARKER" in Client().post("/hotline/followup/", {"code": receipt.code}).content.decode()
    assert set(CaseKey.objects.filter(case=case).values_list("handler_id", flat=True)) == {newcomer.pk}
    assert casework.case_report_key(case=case, handler=newcomer, private_key=private_key(newcomer))
    Case.objects.filter(pk=case.pk).update(pending_notice="")
    assert casework.reseal_waiting_case(case=case, report_key=_key(case, newcomer)) == 0


def test_handler_sees_the_report_after_unlocking_only(handler, handler_client, opened):
    case, _, client = opened
    assert "CASE-CONTENT-MARKER" in client.get(f"/hotline/cases/{case.public_id}/").content.decode()
    locked = handler_client(handler, unlock=False)
    response = locked.get(f"/hotline/cases/{case.public_id}/")
    assert response.status_code == 302 and "/key/unlock/" in response["Location"]


def test_status_flow_with_notices_notes_and_messages(handler, opened):
    case, receipt, client = opened
    url = f"/hotline/cases/{case.public_id}/"
    assert client.post(url + "status/", {"status": "investigating"}).status_code == 400  # must acknowledge first
    assert client.post(url + "status/", {"status": "acknowledged"}).status_code == 302
    client.post(url + "entries/", {"kind": "note", "text": "INTERNAL-NOTE-MARKER"})
    client.post(url + "entries/", {"kind": "message", "text": "Could you tell us which terminal?"})
    assert client.post(url + "status/", {"status": "investigating"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.INVESTIGATING
    assert case.acknowledged_at and case.investigation_notice_at and case.feedback_at is None
    reporter = Client().post("/hotline/followup/", {"code": receipt.code}).content.decode()
    assert "Could you tell us which terminal?" in reporter
    assert "INTERNAL-NOTE-MARKER" not in reporter
    assert "調査" in reporter or "investigate" in reporter


def test_a_substantiated_case_closes_only_with_corrective_measures(handler, opened):
    case, receipt, client = opened
    url = f"/hotline/cases/{case.public_id}/"
    for status in ("acknowledged", "investigating", "substantiated"):
        assert client.post(url + "status/", {"status": status}).status_code == 302
    response = client.post(url + "status/", {"status": "closed"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.SUBSTANTIATED
    bad = client.post(
        url + "measures/",
        {"description": "Reset terminals", "owner": "IT dept", "due_on": "2026-12-31", "check_on": "2026-12-01"},
    )
    assert bad.status_code == 400  # check before due date
    good = client.post(
        url + "measures/",
        {
            "description": "MEASURE-MARKER reset terminals",
            "owner": "IT dept",
            "due_on": "2026-12-31",
            "check_on": "2027-03-31",
        },
    )
    assert good.status_code == 302
    assert client.post(url + "status/", {"status": "closed"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.outcome == Case.Outcome.SUBSTANTIATED and case.closed_at
    notices = [
        body for entry, body in casework.decrypt_entries(case=case, report_key=_key(case, handler), for_reporter=True)
    ]
    assert notices[-1]["notice"] == "closed_with_measures"
    page = Client().post("/hotline/followup/", {"code": receipt.code}).content.decode()
    assert "MEASURE-MARKER" not in page  # the measures themselves stay internal
    assert "是正措置" in page or "Corrective measures" in page


def test_identity_is_shown_only_after_a_second_handler_approves_the_reason(
    handler, make_handler, handler_client, opened, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 14 item 11: one handler's say-so is not enough; request and approval are both recorded."""
    case, _, client = opened
    url = f"/hotline/cases/{case.public_id}/identity/"
    assert client.post(url, {"reason": "short"}).status_code == 400
    response = client.post(url, {"action": "request", "reason": "Needed to arrange protection from retaliation"})
    assert response.status_code == 302
    # Asking is not seeing, and the asker cannot approve their own request.
    for action in ("reveal", "approve"):
        request_id = case.identity_requests.get().pk
        page = client.post(url, {"action": action, "request": request_id}, follow=True).content.decode()
        assert "Yamada Taro" not in page
    assert not AuditEntry.objects.filter(action="hotline.identity_viewed").exists()
    colleague = make_handler("second-opinion@example.jp")
    casework.case_grant(case=case, granter=handler, grantee=colleague, report_key=_key(case, handler))
    # A later request on the case is put to the colleague by a content-free e-mail.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        casework.identity_request(
            case=case, handler=colleague, report_key=_key(case, colleague), reason="To check the reporter's wish"
        )
    assert [m.to for m in mailoutbox] == [[handler.email]] and "Yamada" not in mailoutbox[0].body
    second = handler_client(colleague)
    assert second.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"}).status_code == 302
    assert "Yamada Taro" not in second.get(f"/hotline/cases/{case.public_id}/").content.decode()
    response = second.post(url, {"action": "approve", "request": case.identity_requests.get(requested_by=handler).pk})
    assert response.status_code == 302
    # The approver has not asked, so sees nothing; the asker now can.
    assert "Yamada Taro" not in second.post(url, {"action": "reveal"}, follow=True).content.decode()
    assert "Yamada Taro" in client.post(url, {"action": "reveal"}).content.decode()
    notes = [
        b["text"]
        for e, b in casework.decrypt_entries(case=case, report_key=_key(case, handler), for_reporter=False)
        if e.kind == CaseEntry.Kind.NOTE
    ]
    assert any("retaliation" in note for note in notes)
    approved = AuditEntry.objects.get(action="hotline.identity_request_approved")
    assert approved.actor_id == colleague.pk and approved.detail["requested_by"] == handler.pk
    assert AuditEntry.objects.filter(action="hotline.identity_requested", actor_id=handler.pk).count() == 1
    viewed = AuditEntry.objects.get(action="hotline.identity_viewed")
    assert viewed.actor_id == handler.pk and viewed.detail["approved_by"] == colleague.pk


def test_every_handler_action_is_audited_without_report_content(handler, opened):
    case, _, client = opened
    url = f"/hotline/cases/{case.public_id}/"
    client.get("/hotline/cases/")
    client.get(url)
    client.post(url + "status/", {"status": "acknowledged"})
    client.post(url + "entries/", {"kind": "message", "text": "MESSAGE-MARKER"})
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "hotline.handler_proposed",
        "hotline.handler_designated",
        "hotline.key_created",
        "hotline.key_unlocked",
        "hotline.conflict_declared",
        "hotline.case_list_viewed",
        "hotline.case_decrypted",
        "hotline.status_changed",
        "hotline.message_sent",
    } <= actions
    # Issue 14 item 5: viewing the list records no count that, with the entry's time, dates arrivals.
    assert [e.detail for e in AuditEntry.objects.filter(action="hotline.case_list_viewed")] == [{}]
    for entry in AuditEntry.objects.all():
        text = f"{entry.actor_label} {entry.target_id} {entry.detail}"
        for marker in ("CASE-CONTENT-MARKER", "MESSAGE-MARKER", "Yamada"):
            assert marker not in text


def test_reporter_reply_reaches_the_handler_and_is_flagged(handler, opened):
    case, receipt, client = opened
    page = Client().post("/hotline/followup/", {"code": receipt.code})
    Client().post(
        "/hotline/followup/case/", {"token": page.context["token"], "action": "reply", "text": "REPLY-MARKER"}
    )
    case.refresh_from_db()
    assert case.reporter_updated_at is not None
    assert "REPLY-MARKER" in client.get(f"/hotline/cases/{case.public_id}/").content.decode()


def test_the_reporters_forms_post_to_the_case_view(handler, file_report):
    import re

    _case, receipt = file_report()
    html = Client().post("/hotline/followup/", {"code": receipt.code}).content.decode()
    actions = re.findall(r'<form method="post" action="([^"]+)"', html)
    assert actions == ["/hotline/followup/case/", "/hotline/followup/case/"]


def test_an_expired_or_forged_followup_token_is_refused(handler, file_report):
    case, receipt = file_report()
    response = Client().post("/hotline/followup/case/", {"token": "forged", "action": "reply", "text": "x"})
    assert response.status_code == 403
    assert not case.entries.exists()


def test_intake_refuses_with_a_fallback_contact_when_no_handler_has_a_key(make_handler):
    make_handler("keyless@example.jp", with_key=False)
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get("/hotline/")
    assert response.status_code == 503
    assert "cannot accept reports" in response.content.decode()
    response = client.post("/hotline/", {"category": "fraud", "what": "x"})
    assert response.status_code == 503 and not Case.objects.exists()


def test_a_resubmitted_intake_form_files_only_one_report(handler):
    client = Client()
    token = client.get("/hotline/").context["form_token"]
    data = {"form_token": token, "category": "fraud", "what": "twice"}
    assert "receipt" in client.post("/hotline/", data).context
    second = client.post("/hotline/", data)
    assert second.status_code == 409
    assert Case.objects.count() == 1


def test_intake_validation_errors_leave_nothing_behind(handler):
    client = Client()
    token = client.get("/hotline/").context["form_token"]
    response = client.post("/hotline/", {"form_token": token, "category": "nonsense", "what": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Case.objects.exists()


def test_new_case_email_carries_no_content_and_no_case_reference(
    handler, make_handler, mailoutbox, file_report, django_capture_on_commit_callbacks
):
    excluded = make_handler("excluded-from-mail@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        case, receipt = file_report(what="EMAIL-MARKER", category="harassment", excluded=[excluded])
        file_report(what="second report", category="fraud", excluded=[excluded])
    # Nothing is sent, and no task is queued, at the moment the reporter acts.
    assert mailoutbox == []
    assert io_call("hotline_notify") == "1 notification e-mail(s) sent.\n"  # one e-mail for both cases
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    text = message.subject + message.body
    assert message.to == [handler.email]
    identifying = ("EMAIL-MARKER", case.reference, str(case.public_id), receipt.lookup, "harassment", "ハラスメント")
    for forbidden in identifying:
        assert forbidden not in text
    assert "/hotline/cases/" in text
    assert periodic.send_pending_notifications() == 0  # sent once


def test_reporter_information_is_notified_in_the_next_batch(handler, mailoutbox, file_report):
    case, receipt = file_report()
    periodic.send_pending_notifications()
    mailoutbox.clear()
    page = Client().post("/hotline/followup/", {"code": receipt.code})
    Client().post("/hotline/followup/case/", {"token": page.context["token"], "action": "reply", "text": "more"})
    assert mailoutbox == []
    assert periodic.send_pending_notifications() == 1
    assert mailoutbox[0].to == [handler.email]
    assert "追加" in mailoutbox[0].subject  # "a reporter has added information", in Japanese


def io_call(*args) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_case_list_query_count_does_not_grow_with_cases(
    handler, handler_client, file_report, django_assert_max_num_queries
):
    client = handler_client(handler)
    file_report()
    with django_assert_max_num_queries(20) as few:
        client.get("/hotline/cases/")
    for _ in range(8):
        file_report()
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get("/hotline/cases/")
    assert len(response.context["rows"]) == 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_conversation_is_shown_in_the_order_it_happened(handler, file_report):
    """Reporter times are rounded down to the hour; that must not reorder the thread."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    jst = ZoneInfo("Asia/Tokyo")
    with time_machine.travel(datetime.datetime(2026, 5, 1, 10, 5, tzinfo=jst), tick=False):
        case, receipt = file_report()
    with time_machine.travel(datetime.datetime(2026, 5, 1, 10, 40, tzinfo=jst), tick=False):
        casework.case_add_entry(
            case=case, handler=handler, report_key=_key(case, handler), kind=CaseEntry.Kind.MESSAGE, text="FIRST"
        )
    with time_machine.travel(datetime.datetime(2026, 5, 1, 10, 50, tzinfo=jst), tick=False):
        reporter.reporter_reply(case=case, report_key=_key(case, handler), text="SECOND", uploads=[])
    texts = [
        body["text"]
        for _e, body in casework.decrypt_entries(case=case, report_key=_key(case, handler), for_reporter=True)
    ]
    assert texts == ["FIRST", "SECOND"]
    page = Client().post("/hotline/followup/", {"code": receipt.code}).content.decode()
    assert page.index("FIRST") < page.index("SECOND")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", "application/x-www-form-urlencoded"), (b"{}", "application/json"), (b"", "multipart/form-data; boundary=x")],
)
def test_an_empty_post_to_the_intake_gets_the_form_with_errors_not_a_server_error(handler, body, content_type):
    """Issue 14 item 9: an empty POST used to raise in add_error on an unbound form (HTTP 500)."""
    response = Client(raise_request_exception=False).generic("POST", "/hotline/", body, content_type=content_type)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound and form.errors["what"] and form.non_field_errors()
    assert not Case.objects.exists()
