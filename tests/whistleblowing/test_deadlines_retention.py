"""Acceptance 7: deadlines and reminders with a frozen clock; the retention purge; statistics."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from whistleblowing import casework, periodic, records, selectors
from whistleblowing.models import Case, CaseEntry, CaseFile, CaseKey, CaseStub

from .conftest import private_key

JST = ZoneInfo("Asia/Tokyo")


def _at(*args):
    return datetime.datetime(*args, tzinfo=JST)


def _key(case, handler):
    return casework.case_report_key(case=case, handler=handler, private_key=private_key(handler))


def _deadlines(case, today):
    case.refresh_from_db()
    return {d.kind: d for d in selectors.case_deadlines(case, today=today)}


def test_deadlines_and_overdue_flags(handler, file_report):
    with time_machine.travel(_at(2026, 4, 1, 10, 30), tick=False):
        case, _ = file_report()
    d = _deadlines(case, datetime.date(2026, 4, 8))
    assert d["acknowledge"].due_on == datetime.date(2026, 4, 8)
    assert not d["acknowledge"].overdue and d["acknowledge"].due_soon
    assert d["investigation"].due_on == datetime.date(2026, 4, 21)
    assert d["feedback"].due_on == datetime.date(2026, 7, 8)  # 3 months after the 7 days, none acknowledged
    assert _deadlines(case, datetime.date(2026, 4, 9))["acknowledge"].overdue
    with time_machine.travel(_at(2026, 4, 3, 9, 0), tick=False):
        casework.case_change_status(case=case, handler=handler, report_key=_key(case, handler), status="acknowledged")
    d = _deadlines(case, datetime.date(2026, 4, 22))
    assert d["acknowledge"].met and not d["acknowledge"].overdue
    assert d["investigation"].overdue
    assert d["feedback"].due_on == datetime.date(2026, 7, 3)  # 3 months from the acknowledgement
    with time_machine.travel(_at(2026, 4, 22, 9, 0), tick=False):
        casework.case_change_status(case=case, handler=handler, report_key=_key(case, handler), status="investigating")
    d = _deadlines(case, datetime.date(2026, 7, 4))
    assert d["investigation"].met and d["feedback"].overdue
    with time_machine.travel(_at(2026, 7, 4, 9, 0), tick=False):
        casework.case_add_entry(
            case=case,
            handler=handler,
            report_key=_key(case, handler),
            kind=CaseEntry.Kind.MESSAGE,
            text="We are still investigating; here is where we stand.",
            is_feedback=True,
        )
    assert _deadlines(case, datetime.date(2026, 7, 5))["feedback"].met


def test_case_list_shows_the_overdue_flag(handler, handler_client, file_report):
    with time_machine.travel(_at(2026, 4, 1, 10, 0), tick=False):
        case, _ = file_report()
    with time_machine.travel(_at(2026, 4, 10, 10, 0), tick=False):
        client = handler_client(handler)
        response = client.get("/hotline/cases/")
    rows = response.context["rows"]
    assert rows[0][0] == case
    assert {d.kind for d in rows[0][1] if d.overdue} == {"acknowledge"}
    assert 'class="tag tag-bad overdue"' in response.content.decode()


def test_reminders_go_to_handlers_only_once_a_day_without_content(
    handler, make_handler, file_report, mailoutbox, compliance
):
    bystander = make_handler("not-on-case@example.jp")
    with time_machine.travel(_at(2026, 4, 1, 10, 0), tick=False):
        case, receipt = file_report(what="REMINDER-MARKER", excluded=[bystander])
    with time_machine.travel(_at(2026, 4, 3, 10, 0), tick=False):
        assert periodic.send_deadline_reminders() == 0  # nothing due within two days yet
    with time_machine.travel(_at(2026, 4, 6, 10, 0), tick=False):
        assert periodic.send_deadline_reminders() == 1
        assert periodic.send_deadline_reminders() == 0  # once a day
    with time_machine.travel(_at(2026, 4, 9, 10, 0), tick=False):
        out = io_call("hotline_reminders")
        assert "1 reminder" in out
    assert [m.to for m in mailoutbox] == [[handler.email], [handler.email]]
    for message in mailoutbox:
        text = message.subject + message.body
        for forbidden in ("REMINDER-MARKER", case.reference, str(case.public_id), receipt.lookup, "conduct"):
            assert forbidden not in text
    # Once acknowledged and noticed, nothing is due until the feedback date approaches.
    with time_machine.travel(_at(2026, 4, 10, 10, 0), tick=False):
        key = _key(case, handler)
        casework.case_change_status(case=case, handler=handler, report_key=key, status="acknowledged")
        casework.case_change_status(case=case, handler=handler, report_key=key, status="investigating")
    with time_machine.travel(_at(2026, 5, 10, 10, 0), tick=False):
        assert periodic.send_deadline_reminders() == 0


def io_call(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _close(case, handler):
    key = _key(case, handler)
    casework.case_change_status(case=case, handler=handler, report_key=key, status="acknowledged")
    casework.case_change_status(case=case, handler=handler, report_key=key, status="closed")


def test_retention_purge_destroys_content_and_files_and_leaves_a_stub(settings, handler, file_report):
    settings.HOTLINE_RETENTION_DAYS = 365
    with time_machine.travel(_at(2025, 3, 15, 10, 0), tick=False):
        old, _ = file_report(
            category="fraud",
            uploads=[records.Upload("old.txt", b"old evidence")],
        )
        _close(old, handler)
    with time_machine.travel(_at(2026, 1, 10, 10, 0), tick=False):
        recent, _ = file_report(category="harassment", uploads=[records.Upload("new.txt", b"new evidence")])
        _close(recent, handler)
    media = Path(settings.MEDIA_ROOT)
    assert len([p for p in media.rglob("*") if p.is_file()]) == 2
    old_file_name = CaseFile.objects.get(case=old).storage_name
    with time_machine.travel(_at(2026, 3, 20, 10, 0), tick=False):
        assert "1 case(s) purged" in io_call("hotline_purge")
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not CaseKey.objects.filter(case_id=old.pk).exists()
    assert not CaseEntry.objects.filter(case_id=old.pk).exists()
    assert not CaseFile.objects.filter(case_id=old.pk).exists()
    assert not (media / old_file_name).exists()
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1
    stub = CaseStub.objects.get()
    assert (stub.received_month, stub.category, stub.outcome) == (
        datetime.date(2025, 3, 1),
        "fraud",
        "not_investigated",
    )
    assert {f.name for f in CaseStub._meta.concrete_fields} == {
        "id",
        "received_month",
        "category",
        "outcome",
        "purged_at",
    }
    assert Case.objects.filter(pk=recent.pk).exists()  # closed too recently
    with time_machine.travel(_at(2026, 3, 20, 10, 0), tick=False):
        assert periodic.purge_expired_cases() == 0  # idempotent


def test_open_cases_are_never_purged(settings, handler, file_report):
    settings.HOTLINE_RETENTION_DAYS = 1
    with time_machine.travel(_at(2020, 1, 1, 10, 0), tick=False):
        case, _ = file_report()
    assert periodic.purge_expired_cases() == 0
    assert Case.objects.filter(pk=case.pk).exists()


def test_statistics_by_month_category_and_outcome_suppress_small_cells(handler, file_report):
    with time_machine.travel(_at(2026, 5, 10, 10, 0), tick=False):
        for _ in range(5):
            file_report(category="conduct_rules")
        file_report(category="fraud")
    CaseStub.objects.create(received_month=datetime.date(2026, 5, 1), category="fraud", outcome="substantiated")
    stats = selectors.hotline_statistics(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30))
    cells = {(r.month, r.category, r.outcome): r.count for r in stats.rows}
    assert cells == {
        (datetime.date(2026, 5, 1), "conduct_rules", "open"): 5,
        (datetime.date(2026, 5, 1), "fraud", "open"): None,
        (datetime.date(2026, 5, 1), "fraud", "substantiated"): None,
    }
    assert stats.total == 7
    assert [r.display for r in stats.rows] == ["5", "<5", "<5"]
    outside = selectors.hotline_statistics(start=datetime.date(2026, 6, 1), end=datetime.date(2026, 6, 30))
    assert outside.rows == [] and outside.total is None


def test_statistics_reach_the_regulator_report_through_a_hook(handler, file_report):
    from django.test import RequestFactory
    from wagtail import hooks

    with time_machine.travel(_at(2026, 5, 10, 10, 0), tick=False):
        for _ in range(6):
            file_report(category="harassment", what="HOOK-MARKER")
    request = RequestFactory().get("/reports/")
    sections = [
        fn(request, start=datetime.date(2026, 4, 1), end=datetime.date(2027, 3, 31))
        for fn in hooks.get_hooks("regulator_report_sections")
    ]
    html = "".join(sections)
    assert "2026-05" in html and ">6<" in html and "HOOK-MARKER" not in html


def test_feedback_due_is_clamped_to_the_end_of_a_shorter_month(handler, file_report):
    # Received 23 November: the 7 days end on 30 November, and 3 months after that is 28 February.
    with time_machine.travel(_at(2026, 11, 23, 10, 0), tick=False):
        case, _ = file_report()
    assert _deadlines(case, datetime.date(2026, 12, 1))["feedback"].due_on == datetime.date(2027, 2, 28)


def test_reporter_sees_status_changes_as_notices(handler, file_report):
    case, receipt = file_report()
    casework.case_change_status(case=case, handler=handler, report_key=_key(case, handler), status="acknowledged")
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.post("/hotline/followup/", {"code": receipt.code}).content.decode()
    assert "acknowledged by the designated handlers" in page
    assert settings.LANGUAGE_CODE == "ja"
