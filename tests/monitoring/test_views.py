"""The monitoring pages: auditors only (everyone else 404, the superuser too), every view and change
audited, the upload goes through the importer, findings are worked from their page."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from monitoring.models import AccessEvent, Finding, FindingNote, LogImport, LogSource, Rule, System, SystemAccount
from people.roles import COMPLIANCE_AUDITORS, COMPLIANCE_EDITORS, MANAGERS, SITE_ADMINISTRATORS
from tests.training.conftest import make_module, org, training_index  # noqa: F401 - fixtures
from training.models import Assignment

pytestmark = pytest.mark.django_db

COLUMNS = {
    "account": "利用者ID",
    "at": "参照日時",
    "terminal": "端末番号",
    "record_type": "画面区分",
    "record": "お客さま番号",
}


def make_source(code="customer_info") -> LogSource:
    return LogSource.objects.create(
        code=code,
        name="託送顧客情報システム",
        system=System.CUSTOMER_INFO,
        encoding=LogSource.Encoding.CP932,
        columns=COLUMNS,
        non_public_record_types=["契約容量照会"],
    )


def log_file(rows, encoding="cp932") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(COLUMNS.values()))
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def auditor(mfa_user):
    return mfa_user(COMPLIANCE_AUDITORS, email="audit@example.jp", family_name="監査", given_name="花子")


@pytest.fixture
def viewer(make_person):
    return make_person(email="viewer@example.jp", family_name="閲覧", given_name="太郎", unit_code="HACHINOHE")


@pytest.fixture
def finding(viewer):
    source = make_source()
    log_import = LogImport.objects.create(source=source, filename="a.csv", sha256="0" * 64, status="done")
    at = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    for n in range(3):
        AccessEvent.objects.create(
            source=source,
            log_import=log_import,
            line=n + 2,
            account_id="M0001",
            person=viewer,
            occurred_at=at + dt.timedelta(minutes=n),
            terminal="HCH-NW-01",
            record_type="契約容量照会",
            record_key=f"{n:064x}",
            concerns_new_entrant=True,
            row_hash=f"{n + 100:064x}",
        )
    SystemAccount.objects.create(system=System.CUSTOMER_INFO, account_id="M0001", person=viewer)
    return Finding.objects.create(
        rule=Rule.objects.get(kind=Rule.Kind.SHARED_TERMINAL),
        system=System.CUSTOMER_INFO,
        account_id="M0001",
        person=viewer,
        unit=viewer.unit,
        key=f"shared_terminal:customer_info:M0001:{timezone.localdate(at)}",
        on_date=timezone.localdate(at),
        first_at=at,
        last_at=at + dt.timedelta(minutes=2),
        event_count=3,
        record_count=3,
    )


@pytest.fixture
def as_auditor(auditor) -> Client:
    client = Client()
    client.force_login(auditor)
    return client


def urls(finding) -> list[str]:
    return [
        "/monitoring/",
        "/monitoring/findings/",
        f"/monitoring/findings/{finding.pk}/",
        "/monitoring/imports/",
        f"/monitoring/imports/{LogImport.objects.get().pk}/",
        "/monitoring/rules/",
        "/monitoring/register/",
    ]


def test_the_auditor_reads_every_page_with_names(as_auditor, finding):
    for url in urls(finding):
        response = as_auditor.get(url)
        assert response.status_code == 200, url
    detail = as_auditor.get(f"/monitoring/findings/{finding.pk}/").content.decode()
    assert "閲覧 太郎" in detail and "HCH-NW-01" in detail
    # The record key is shown shortened; the customer's number was never stored.
    assert f"{0:064x}"[:10] in detail
    assert "閲覧 太郎" in as_auditor.get("/monitoring/findings/").content.decode()
    assert "閲覧 太郎" in as_auditor.get("/monitoring/register/").content.decode()


@pytest.mark.parametrize("who", ["employee", "compliance_editor", "manager", "superuser", "site_admin"])
def test_everyone_else_gets_404_on_every_page_and_action(who, finding, mfa_user, make_person):
    if who == "employee":
        person = make_person(email="e@example.jp")
    elif who == "compliance_editor":
        person = mfa_user(COMPLIANCE_EDITORS, email="c@example.jp")
    elif who == "manager":
        person = make_person(email="m@example.jp", groups=(MANAGERS,))
    elif who == "superuser":
        # Every permission, staff and superuser: still not an auditor.
        person = mfa_user(email="root@example.jp", is_superuser=True, is_staff=True)
        person.user_permissions.set(Permission.objects.all())
    else:
        person = mfa_user(SITE_ADMINISTRATORS, email="it@example.jp", is_staff=True)
    client = Client()
    client.force_login(person)
    for url in urls(finding):
        assert client.get(url).status_code == 404, url
    rule = Rule.objects.get(kind=Rule.Kind.BURST)
    posts = {
        f"/monitoring/findings/{finding.pk}/update/": {"update-status": "closed", "update-outcome": "explained"},
        f"/monitoring/findings/{finding.pk}/notes/": {"note-text": "x"},
        f"/monitoring/findings/{finding.pk}/training/": {"training-scope": "person"},
        "/monitoring/imports/": {},
        f"/monitoring/rules/{rule.pk}/": {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    finding.refresh_from_db()
    rule.refresh_from_db()
    assert finding.status == Finding.Status.OPEN and rule.enabled
    assert not FindingNote.objects.exists()
    assert "/monitoring/" not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(finding):
    response = Client().get("/monitoring/findings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_auditor_without_a_second_factor_is_sent_to_enrol_first(make_person, finding):
    person = make_person(email="new-auditor@example.jp", groups=(COMPLIANCE_AUDITORS,))
    client = Client()
    client.force_login(person)
    response = client.get("/monitoring/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_views_are_audited(as_auditor, auditor, finding):
    as_auditor.get("/monitoring/")
    as_auditor.get("/monitoring/findings/?status=&rule=shared_terminal")
    as_auditor.get(f"/monitoring/findings/{finding.pk}/")
    as_auditor.get("/monitoring/register/?q=M0001")
    entries = AuditEntry.objects.filter(actor=auditor, action__startswith="monitoring.")
    actions = list(entries.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "monitoring.dashboard_viewed",
        "monitoring.findings_viewed",
        "monitoring.finding_viewed",
        "monitoring.register_viewed",
    ]
    assert entries.get(action="monitoring.findings_viewed").detail["rule"] == "shared_terminal"
    viewed = entries.get(action="monitoring.finding_viewed")
    assert (viewed.target_type, viewed.target_id) == ("monitoring.finding", str(finding.pk))
    assert entries.get(action="monitoring.register_viewed").detail["q"] == "M0001"


def test_the_staff_navigation_links_monitoring_for_auditors_only(as_auditor, make_person):
    assert 'href="/monitoring/"' in as_auditor.get("/search/").content.decode()
    other = Client()
    other.force_login(make_person(email="nobody@example.jp"))
    assert 'href="/monitoring/"' not in other.get("/search/").content.decode()


def test_filters_and_paging(as_auditor, finding):
    page = as_auditor.get("/monitoring/findings/?rule=burst")
    assert page.context["findings"].paginator.count == 0
    page = as_auditor.get(f"/monitoring/findings/?rule=shared_terminal&system=customer_info&unit={finding.unit_id}")
    assert list(page.context["findings"]) == [finding]
    # A hand-edited value falls back to no filter rather than failing.
    assert as_auditor.get("/monitoring/findings/?unit=abc&status=nonsense&page=99").status_code == 200


def test_closing_needs_an_outcome_then_closes_and_is_audited(as_auditor, auditor, finding):
    url = f"/monitoring/findings/{finding.pk}/update/"
    refused = as_auditor.post(url, {"update-status": "closed", "update-outcome": ""})
    assert refused.status_code == 400
    assert "対応結果" in refused.content.decode() or "outcome" in refused.content.decode().lower()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    done = as_auditor.post(
        url, {"update-status": "closed", "update-outcome": "false_positive", "update-assignee": auditor.pk}
    )
    assert done.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.outcome, finding.assignee) == ("closed", "false_positive", auditor)
    assert finding.closed_at is not None
    assert AuditEntry.objects.filter(action="monitoring.finding_updated", target_id=str(finding.pk)).exists()


def test_a_note_is_kept_and_shown(as_auditor, auditor, finding):
    text = "本人に確認。共用端末と知らず。"
    response = as_auditor.post(f"/monitoring/findings/{finding.pk}/notes/", {"note-text": text})
    assert response.status_code == 302
    note = FindingNote.objects.get()
    assert (note.finding, note.author) == (finding, auditor)
    assert "共用端末と知らず" in as_auditor.get(f"/monitoring/findings/{finding.pk}/").content.decode()
    assert as_auditor.post(f"/monitoring/findings/{finding.pk}/notes/", {"note-text": ""}).status_code == 400


def test_training_is_assigned_to_the_person_from_the_finding(as_auditor, finding, viewer, make_module):  # noqa: F811
    module = make_module("conduct-basics", title="行為規制の基本")
    response = as_auditor.post(
        f"/monitoring/findings/{finding.pk}/training/", {"training-module": module.pk, "training-scope": "person"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Assignment.objects.filter(person=viewer, module=module).exists()
    assert AuditEntry.objects.filter(action="monitoring.finding_training_assigned").exists()


def test_upload_through_the_page_imports_rows_and_lists_bad_lines(
    as_auditor, viewer, django_capture_on_commit_callbacks
):
    source = make_source()
    SystemAccount.objects.create(system=System.CUSTOMER_INFO, account_id="M0001", person=viewer)
    raw = log_file(
        [
            ("M0001", "2026-01-05 09:00:00", "RT-01", "供給地点照会", "0300001"),
            ("M0001", "2026-13-05 09:00:00", "RT-01", "供給地点照会", "0300002"),
            ("", "2026-01-05 09:02:00", "RT-01", "供給地点照会", "0300003"),
        ]
    )
    upload = io.BytesIO(raw)
    upload.name = "takuso_20260105.csv"
    # The upload is registered in the request and imported by the task worker after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post("/monitoring/imports/", {"source": source.pk, "file": upload})
    assert response.status_code == 302
    log_import = LogImport.objects.get()
    assert response["Location"] == f"/monitoring/imports/{log_import.pk}/"
    assert (log_import.status, log_import.rows_added, log_import.via) == ("done", 1, "upload")
    assert AccessEvent.objects.get().person == viewer
    detail = as_auditor.get(response["Location"]).content.decode()
    assert [e["line"] for e in log_import.errors] == [3, 4]
    for error in log_import.errors:
        assert str(error["line"]) in detail
    # The same file again adds nothing and says so.
    upload.seek(0)
    again = as_auditor.post("/monitoring/imports/", {"source": source.pk, "file": upload}, follow=True)
    assert LogImport.objects.count() == 1 and AccessEvent.objects.count() == 1
    assert again.redirect_chain[-1][0] == f"/monitoring/imports/{log_import.pk}/"


def test_an_upload_without_a_file_shows_the_form_again(as_auditor):
    source = make_source()
    response = as_auditor.post("/monitoring/imports/", {"source": source.pk})
    assert response.status_code == 400 and not LogImport.objects.exists()


def test_a_rule_is_switched_off_and_on_and_its_figures_set(as_auditor, auditor):
    rule = Rule.objects.get(kind=Rule.Kind.BURST)
    prefix = f"rule-{rule.pk}"
    response = as_auditor.post(f"/monitoring/rules/{rule.pk}/", {f"{prefix}-records": "150", f"{prefix}-minutes": "30"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.enabled is False and rule.params == {"records": 150, "minutes": 30}
    as_auditor.post(f"/monitoring/rules/{rule.pk}/", {f"{prefix}-enabled": "on", f"{prefix}-records": "150"})
    rule.refresh_from_db()
    assert rule.enabled is True
    changes = AuditEntry.objects.filter(actor=auditor, action="monitoring.rule_changed", target_id=str(rule.pk))
    assert changes.count() == 2
    page = as_auditor.get("/monitoring/rules/").content.decode()
    assert 'value="150"' in page


def test_the_dashboard_counts_by_month_rule_system_and_unit(as_auditor, finding):
    board = as_auditor.get("/monitoring/").context["board"]
    assert (board.total, board.new, board.active) == (1, 1, 1)
    assert [(b.value, b.count) for b in board.by_rule] == [("shared_terminal", 1)]
    assert [(b.value, b.count) for b in board.by_system] == [("customer_info", 1)]
    assert [(b.value, b.count) for b in board.by_unit] == [(str(finding.unit_id), 1)]
    assert sum(b.count for b in board.by_month) == 1
    assert len(board.by_month) == 12


def test_an_auditor_group_member_who_left_is_refused(auditor, finding):
    auditor.is_active = False
    auditor.save()
    Group.objects.get(name=COMPLIANCE_AUDITORS)  # still in the group
    client = Client()
    client.force_login(auditor)
    assert client.get("/monitoring/").status_code in (302, 404)


def test_the_home_page_shows_auditors_the_findings_waiting(as_auditor, finding, make_person):
    from wagtail.models import Page, Site

    from portal.models import HomePage

    home = Page.get_first_root_node().add_child(instance=HomePage(title="ホーム", slug="home-mon"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    page = as_auditor.get("/").content.decode()
    assert 'id="monitoring-panel-heading"' in page and "/monitoring/findings/" in page
    other = Client()
    other.force_login(make_person(email="plain@example.jp"))
    assert 'id="monitoring-panel-heading"' not in other.get("/").content.decode()


SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def test_bad_input_is_refused_or_shown_escaped(as_auditor, finding, django_capture_on_commit_callbacks):
    detail = f"/monitoring/findings/{finding.pk}/"
    # Markup in a note is kept as text and shown escaped.
    as_auditor.post(f"{detail}notes/", {"note-text": SCRIPT})
    page = as_auditor.get(detail).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    # Unknown ids and values: the form says so, nothing changes.
    for data in (
        {"update-status": "closed", "update-outcome": "nonsense"},
        {"update-status": "gone", "update-outcome": ""},
        {"update-status": "open", "update-assignee": "999999"},
    ):
        assert as_auditor.post(f"{detail}update/", data).status_code == 400
    finding.refresh_from_db()
    assert (finding.status, finding.outcome, finding.assignee) == ("open", "", None)
    assert as_auditor.post(f"{detail}training/", {"training-module": "999999"}).status_code == 400
    assert not Assignment.objects.exists()
    # A rule's figures must be numbers in range.
    rule = Rule.objects.get(kind=Rule.Kind.BURST)
    response = as_auditor.post(f"/monitoring/rules/{rule.pk}/", {f"rule-{rule.pk}-minutes": "abc"}, follow=True)
    rule.refresh_from_db()
    assert rule.enabled and rule.params == {"records": 100, "minutes": 60}
    assert "しきい値を保存できませんでした" in response.content.decode()
    # A file that is not text in the source's encoding is refused with the line, and nothing is stored.
    source = make_source("takuso2")
    header = ",".join(COLUMNS.values()) + "\n"
    upload = io.BytesIO(header.encode("cp932") + b"M0001,\x81 ,,,\n")  # a lead byte with no trail byte
    upload.name = f"{SCRIPT}.csv"
    with django_capture_on_commit_callbacks(execute=True):  # the task worker runs after the commit
        response = as_auditor.post("/monitoring/imports/", {"source": source.pk, "file": upload})
    log_import = LogImport.objects.get(source=source)
    assert log_import.status == LogImport.Status.FAILED and not log_import.events.exists()
    page = as_auditor.get(response["Location"]).content.decode()
    assert "2 行目" in page and "<script>alert" not in page
