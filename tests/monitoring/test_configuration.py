"""What the rules know of the world, kept by auditors in the portal: terminals (which stand in an office
shared with the retailer) and contractors' contract purposes. Auditors only; every change audited;
a change makes the rules look again at the views already imported."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from monitoring import services
from monitoring.importing import log_import_run
from monitoring.models import ContractPurpose, Finding, LogSource, Rule, SystemAccount, Terminal
from people.roles import COMPLIANCE_AUDITORS
from tests.monitoring.test_rules import findings, holds, import_rows, person, view

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(mfa_user):
    return mfa_user(COMPLIANCE_AUDITORS, email="audit@example.jp", family_name="監査", given_name="花子")


@pytest.fixture
def as_auditor(auditor) -> Client:
    client = Client()
    client.force_login(auditor)
    return client


def days_ago(n: int) -> str:
    return f"{timezone.localdate() - dt.timedelta(days=n):%Y-%m-%d} 10:00:00"


def test_an_unregistered_terminal_is_listed_then_registered_as_shared_and_its_past_views_are_flagged(
    org, as_auditor, auditor, django_capture_on_commit_callbacks
):
    seller = person(org, "retail")
    holds(seller, "R001")
    import_rows([view("R001", days_ago(3), "1001", terminal="HCH-PC-7", kind="お知らせ")])
    assert not findings(Rule.Kind.SHARED_TERMINAL).exists()  # nobody had said where HCH-PC-7 stands

    page = as_auditor.get("/monitoring/terminals/").content.decode()
    unregistered = page.split('id="h-unregistered"')[1]
    assert "HCH-PC-7" in unregistered

    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post(
            "/monitoring/terminals/", {"code": "HCH-PC-7", "location": "八戸営業所 2階", "is_shared_office": "on"}
        )
    assert response.status_code == 302
    terminal = Terminal.objects.get(code="HCH-PC-7")
    assert (terminal.location, terminal.is_shared_office) == ("八戸営業所 2階", True)
    flagged = findings(Rule.Kind.SHARED_TERMINAL).get()
    assert flagged.person == seller
    entry = AuditEntry.objects.get(action="monitoring.terminal_changed")
    assert entry.actor == auditor
    assert entry.detail == {"before": None, "after": {"location": "八戸営業所 2階", "shared": True}}

    page = as_auditor.get("/monitoring/terminals/").content.decode()
    registered, unregistered = page.split('id="h-unregistered"')
    assert "HCH-PC-7" in registered and "HCH-PC-7" not in unregistered
    assert "八戸営業所 2階" in registered


def test_saving_a_terminal_unchanged_writes_nothing_and_clearing_the_flag_keeps_findings(
    org, auditor, django_capture_on_commit_callbacks
):
    holds(person(org, "retail"), "R001")
    Terminal.objects.create(code="HCH-PC-7", is_shared_office=True)
    import_rows([view("R001", days_ago(3), "1001", terminal="HCH-PC-7")])
    assert findings(Rule.Kind.SHARED_TERMINAL).count() == 1
    services.terminal_save(by=auditor, code="HCH-PC-7", location="", is_shared_office=True)
    assert not AuditEntry.objects.filter(action="monitoring.terminal_changed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.terminal_save(by=auditor, code="HCH-PC-7", location="", is_shared_office=False)
    assert not Terminal.objects.get(code="HCH-PC-7").is_shared_office
    assert findings(Rule.Kind.SHARED_TERMINAL).count() == 1  # what was found stays, as with a rule switched off


def test_a_terminal_without_a_code_is_refused_with_a_message(as_auditor):
    response = as_auditor.post("/monitoring/terminals/", {"code": "  ", "location": "どこか"})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not Terminal.objects.exists()
    assert not AuditEntry.objects.filter(action="monitoring.terminal_changed").exists()


def purpose_form(org, **changes) -> dict:
    return {
        "company": org["contractor"].pk,
        "name": "検針業務",
        "systems": ["customer_info"],
        "allowed_record_types": "検針\n\n 料金照会 ",
        "valid_from": "2022-01-01",
        "valid_until": "",
        **changes,
    }


def test_a_contract_purpose_is_added_and_changed_and_the_contractor_views_are_checked_again(
    org, as_auditor, auditor, django_capture_on_commit_callbacks
):
    reader = person(org, "contr", etype="CONTRACTOR")
    holds(reader, "K001")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post("/monitoring/contracts/new/", purpose_form(org))
    assert response.status_code == 302
    purpose = ContractPurpose.objects.get()
    assert (purpose.company, purpose.systems) == (org["contractor"], ["customer_info"])
    assert purpose.allowed_record_types == ["料金照会", "検針"]
    import_rows([view("K001", "2022-05-01 10:00:00", "1001", kind="検針")])
    assert not findings(Rule.Kind.CONTRACTOR_PURPOSE).exists()  # within the purpose

    listing = as_auditor.get("/monitoring/contracts/").content.decode()
    assert "検針業務" in listing and "検針サービス" in listing

    # The contract turns out to have ended before that view: saving says so and the view is flagged.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post(f"/monitoring/contracts/{purpose.pk}/", purpose_form(org, valid_until="2022-04-30"))
    assert response.status_code == 302
    assert findings(Rule.Kind.CONTRACTOR_PURPOSE).get().person == reader
    entries = AuditEntry.objects.filter(action="monitoring.contract_purpose_changed", actor=auditor).order_by("seq")
    assert [e.detail["before"] is None for e in entries] == [True, False]
    assert entries.last().detail["after"]["valid_until"] == "2022-04-30"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"systems": []}, "systems"),
        ({"valid_from": "2022-05-01", "valid_until": "2022-04-30"}, "valid_until"),
        ({"name": ""}, "name"),
        ({"valid_from": "not a date"}, "valid_from"),
    ],
)
def test_a_bad_contract_purpose_is_shown_again_with_the_reason_and_nothing_is_saved(org, as_auditor, changes, field):
    response = as_auditor.post("/monitoring/contracts/new/", purpose_form(org, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert 'class="errorlist"' in response.content.decode()
    assert not ContractPurpose.objects.exists()
    assert not AuditEntry.objects.filter(action="monitoring.contract_purpose_changed").exists()


def test_only_contractor_companies_can_have_a_purpose(org, as_auditor, auditor):
    response = as_auditor.post("/monitoring/contracts/new/", purpose_form(org, company=org["retail"].pk))
    assert response.status_code == 400 and response.context["form"].errors.get("company")
    with pytest.raises(services.ValidationError):
        services.contract_purpose_save(
            by=auditor,
            company=org["retail"],
            name="x",
            systems=["customer_info"],
            allowed_record_types=[],
            valid_from=dt.date(2022, 1, 1),
        )
    assert not ContractPurpose.objects.exists()


@pytest.mark.parametrize("who", ["employee", "superuser"])
def test_everyone_but_auditors_gets_404_and_changes_nothing(org, who, mfa_user, make_person):
    if who == "employee":
        outsider = make_person(email="e@example.jp")
    else:
        outsider = mfa_user(email="root@example.jp", is_superuser=True, is_staff=True)
        outsider.user_permissions.set(Permission.objects.all())
    purpose = ContractPurpose.objects.create(
        company=org["contractor"], name="検針業務", systems=["customer_info"], valid_from=dt.date(2022, 1, 1)
    )
    client = Client()
    client.force_login(outsider)
    for url in ["/monitoring/terminals/", "/monitoring/contracts/", "/monitoring/contracts/new/"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/monitoring/contracts/{purpose.pk}/").status_code == 404
    assert client.post("/monitoring/terminals/", {"code": "X", "is_shared_office": "on"}).status_code == 404
    assert client.post(f"/monitoring/contracts/{purpose.pk}/", purpose_form(org, name="改竄")).status_code == 404
    assert not Terminal.objects.exists()
    assert ContractPurpose.objects.get().name == "検針業務"


def test_choosing_nobody_takes_a_finding_off_its_assignee(org, as_auditor, auditor):
    holds(person(org, "retail"), "R001")
    Terminal.objects.create(code="HCH-PC-7", is_shared_office=True)
    import_rows([view("R001", days_ago(3), "1001", terminal="HCH-PC-7")])
    finding = findings(Rule.Kind.SHARED_TERMINAL).get()
    services.finding_update(finding=finding, by=auditor, assignee=auditor)
    response = as_auditor.post(
        f"/monitoring/findings/{finding.pk}/update/", {"update-status": "investigating", "update-assignee": ""}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.assignee) == (Finding.Status.INVESTIGATING, None)
    change = AuditEntry.objects.filter(action="monitoring.finding_updated").order_by("seq").last()
    assert change.detail["assignee"] == {"from": auditor.pk, "to": None}
    # Leaving the assignee out of a service call keeps it.
    services.finding_update(finding=finding, by=auditor, assignee=auditor)
    services.finding_update(finding=finding, by=auditor, status=Finding.Status.OPEN)
    finding.refresh_from_db()
    assert finding.assignee == auditor


def source_form(**changes) -> dict:
    return {
        "code": "intranet",
        "name": "系統情報イントラネット アクセスログ",
        "system": "grid_intranet",
        "encoding": "utf-8-sig",
        "delimiter": "tab",
        "time_zone": "Asia/Tokyo",
        "time_format": "%Y/%m/%d %H:%M",
        "column_account": "ユーザーID",
        "column_at": "日時",
        "column_terminal": "端末",
        "column_record_type": "画面",
        "column_record": "",
        "column_new_entrant": "",
        "non_public_record_types": "系統連系情報\n 系統連系情報 \n",
        "new_entrant_values": "",
        "is_active": "on",
        **changes,
    }


def test_a_log_source_is_added_and_its_files_read_the_way_it_says(org, as_auditor, auditor):
    response = as_auditor.post("/monitoring/imports/sources/new/", source_form())
    assert response.status_code == 302
    source = LogSource.objects.get(code="intranet")
    assert (source.delimiter, source.encoding, source.time_format) == ("\t", "utf-8-sig", "%Y/%m/%d %H:%M")
    assert source.columns == {"account": "ユーザーID", "at": "日時", "terminal": "端末", "record_type": "画面"}
    assert source.non_public_record_types == ["系統連系情報"]
    entry = AuditEntry.objects.get(action="monitoring.log_source_changed")
    assert entry.actor == auditor and entry.detail["before"] is None
    # A file as that system writes it: tab-separated UTF-8 with a BOM, minutes only.
    holds(person(org, "retail"), "R009", system="grid_intranet")
    content = "\ufeffユーザーID\t日時\t端末\t画面\r\nR009\t2022/06/01 10:00\tGRID-PC-1\t系統連系情報\r\n".encode()
    log_import = log_import_run(source=source, filename="intranet.tsv", content=content)
    assert (log_import.status, log_import.rows_added, log_import.errors) == ("done", 1, [])
    assert findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).get().system == "grid_intranet"
    listing = as_auditor.get("/monitoring/imports/sources/").content.decode()
    assert "系統情報イントラネット アクセスログ" in listing and "系統連系情報" in listing


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"time_zone": "Tokyo/Nowhere"}, "time_zone"),
        ({"time_format": "%Y-%m-%d"}, "time_format"),
        ({"time_format": "%H:%M %Q"}, "time_format"),
        ({"column_at": ""}, "column_at"),
        ({"column_terminal": "日時"}, "__all__"),
        ({"code": "two words"}, "code"),
    ],
)
def test_a_log_source_that_cannot_read_a_file_is_refused_with_the_reason(as_auditor, changes, field):
    response = as_auditor.post("/monitoring/imports/sources/new/", source_form(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not LogSource.objects.exists()
    assert not AuditEntry.objects.filter(action="monitoring.log_source_changed").exists()


def test_changing_the_non_public_record_types_checks_the_source_views_again(
    org, as_auditor, django_capture_on_commit_callbacks
):
    holds(person(org, "retail"), "R001")
    import_rows([view("R001", "2022-06-01 10:00:00", "1001", kind="供給地点照会")])  # public in the test source
    assert not findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).exists()
    source = LogSource.objects.get()
    page = as_auditor.get(f"/monitoring/imports/sources/{source.pk}/")  # the form as the auditor finds it
    shown = {field.name: field.value() for field in page.context["form"]}
    data = {name: ("on" if value is True else value) for name, value in shown.items() if value not in (None, False)}
    data["non_public_record_types"] += "\n供給地点照会"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post(f"/monitoring/imports/sources/{source.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    assert findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).count() == 1
    # Saved again unchanged: nothing to audit, nothing to check.
    as_auditor.post(f"/monitoring/imports/sources/{source.pk}/", data)
    assert AuditEntry.objects.filter(action="monitoring.log_source_changed").count() == 1


def test_an_id_nobody_held_is_given_its_holder_and_their_views_are_judged(
    org, as_auditor, auditor, django_capture_on_commit_callbacks
):
    seller = person(org, "retail", employee_number="R777001")
    import_rows([view("X9001", "2022-06-01 10:00:00", "1001")])  # a non-public record, by an id nobody holds
    assert not findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).exists()
    unknown = as_auditor.get("/monitoring/register/").content.decode().split('id="h-unknown"')[1]
    assert "X9001" in unknown.split('id="h-enter"')[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = as_auditor.post(
            "/monitoring/register/",
            {
                "entry-system": "customer_info",
                "entry-account_id": "X9001",
                "entry-holder": "r777001",  # as typed: the number is matched whatever its case
                "entry-note": "本人に確認",
            },
        )
    assert response.status_code == 302
    entry = SystemAccount.objects.get(account_id="X9001")
    assert (entry.person, entry.origin, entry.note) == (seller, SystemAccount.Origin.MANUAL, "本人に確認")
    assert findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).get().person == seller
    created = AuditEntry.objects.get(action="monitoring.register_created")
    assert created.actor == auditor and created.detail["account_id"] == "X9001"
    unknown = as_auditor.get("/monitoring/register/").content.decode().split('id="h-unknown"')[1]
    assert "X9001" not in unknown.split('id="h-enter"')[0]


def test_an_unknown_employee_number_is_refused_and_nothing_is_entered(org, as_auditor):
    import_rows([view("X9001", "2022-06-01 10:00:00", "1001")])
    response = as_auditor.post(
        "/monitoring/register/",
        {"entry-system": "customer_info", "entry-account_id": "X9001", "entry-holder": "NOBODY-1"},
    )
    assert response.status_code == 400
    assert "NOBODY-1" in str(response.context["entry_form"].errors["holder"])
    assert not SystemAccount.objects.filter(account_id="X9001").exists()
    assert not AuditEntry.objects.filter(action__startswith="monitoring.register_c").exists()
