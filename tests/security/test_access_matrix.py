"""Who may open which sensitive address (SPEC §1, issue 8): one table, every role.

`SENSITIVE` lists each URL pattern that shows or changes personal or confidential data, with
the roles allowed on it; `NOT_SENSITIVE` lists the rest of our patterns with the reason. A new
URL pattern in one of our namespaces that is in neither table fails
`test_every_sensitive_url_pattern_has_an_entry`, so nobody can add a page and forget to decide
who may see it.

Allowed means the view answers (200, a redirect inside the feature, or a form error); denied
means 404 (our views never confirm that an object exists), 403, Wagtail's admin redirect, or the
login page for anonymous visitors. POST-only actions are checked for the denied roles only, so
the allowed roles' checks do not change the data the other rows look at; the apps' own tests
cover what those actions do.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from enquiries.services import enquiry_submit
from monitoring.models import ContractPurpose, Finding, LogImport, LogSource, Rule, System
from people.hr_import import hr_import_run  # noqa: F401 - the HR import job below uses it via the service
from people.models import Company, HRImportJob
from people.roles import (
    COMPLIANCE_AUDITORS,
    COMPLIANCE_EDITORS,
    DESIGNATED_HANDLERS,
    ENQUIRY_RESPONDERS,
    MANAGERS,
    SITE_ADMINISTRATORS,
    TRAINING_ADMINISTRATORS,
)
from reports.services import regulator_report_issue
from tests.factories import hotline as hotline_factories
from tests.factories import people as pf
from tests.reports.conftest import world  # noqa: F401 - fixture
from tests.training.conftest import make_module, make_quiz, org, training_index  # noqa: F401 - fixtures
from training.models import Assignment, AttestationDocument, Certificate, TransferChecklist
from whistleblowing import handlers, reporter

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "owner",
    "colleague",
    "manager",
    "other_manager",
    "compliance",
    "handler",
    "site_admin",
    "auditor",
)
STAFF = ("compliance",)
PASSPHRASE = "correct horse battery staple"
# Namespaces and names of our own sensitive areas; Wagtail's built-in admin is governed by its permissions.
SENSITIVE_NAMESPACES = (
    "enquiries",
    "training",
    "quizzes",
    "certificates",
    "reports",
    "whistleblowing",
    "unit",
    "transfer",
    "hotline_handlers",
    "monitoring",
)
SENSITIVE_NAMES = ("people_hr_import", "people_hr_import_job")


@dataclass
class Row:
    url: str
    allowed: tuple[str, ...]
    method: str = "get"
    data: dict = field(default_factory=dict)


NOT_SENSITIVE = {
    "certificates:verify_form": "public by design: anyone may check a certificate code",
    "certificates:verify": "public by design: shows only name, module, cycle and date of a genuine certificate",
    "whistleblowing:intake": "public by design: anonymous reporting",
    "whistleblowing:followup": "public: the receipt code is the credential",
    "whistleblowing:followup_case": "public: needs a signed token obtained with the receipt code",
    "whistleblowing:language": "public: language switch without a cookie",
    "whistleblowing:asset": "public: the hotline's own stylesheets and favicon, an allow-list of three files",
    "enquiries:mine": "lists only the viewer's own enquiries",
    "enquiries:ask": "a form to ask a question",
    "training:my_training": "lists only the viewer's own training",
    "unit:index_results": "same view and permission as unit:index",
    "transfer:index_results": "same view and permission as transfer:index",
    "hotline_handlers:index_results": "same view and permission as hotline_handlers:index",
}
# Wagtail ModelViewSet views beyond index/edit share their viewset's permission policy.
VIEWSET_SECONDARY = ("add", "delete", "history", "history_results", "usage", "copy", "inspect")


def pattern_names() -> set[str]:
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    names = set(walk(get_resolver().url_patterns))
    return {n for n in names if n.split(":")[0] in SENSITIVE_NAMESPACES or n in SENSITIVE_NAMES}


def uncovered(names: set[str], covered: set[str]) -> set[str]:
    return {
        n
        for n in names
        if n not in covered
        and n not in NOT_SENSITIVE
        and not (n.split(":")[0] in ("unit", "transfer", "hotline_handlers") and n.split(":")[1] in VIEWSET_SECONDARY)
    }


@pytest.fixture
def people(world, mfa_user):  # noqa: F811
    owner = world["east"]
    other_manager = pf.person(email="cc-boss@example.jp", unit_code="CC", groups=(MANAGERS,))
    pf.unit("CC").managers.add(other_manager)
    compliance = mfa_user(COMPLIANCE_EDITORS, TRAINING_ADMINISTRATORS, ENQUIRY_RESPONDERS, email="c@example.jp")
    handler = mfa_user(DESIGNATED_HANDLERS, email="handler@example.jp")
    hotline_factories.designate(person=handler, by=compliance)
    handlers.handler_key_setup(person=handler, passphrase=PASSPHRASE)
    site_admin = mfa_user(
        SITE_ADMINISTRATORS, email="it@example.jp", is_superuser=True, is_staff=True, hr_managed=False
    )
    auditor = mfa_user(COMPLIANCE_AUDITORS, email="auditor@example.jp")
    return {
        "auditor": auditor,
        "owner": owner,
        "colleague": world["cc1"],
        "manager": world["manager"],
        "other_manager": other_manager,
        "compliance": compliance,
        "handler": handler,
        "site_admin": site_admin,
    }


@pytest.fixture
def rows(people, fast_hotline_crypto):
    owner, compliance = people["owner"], people["compliance"]
    enquiry = enquiry_submit(asker=owner, subject="端末について", body="NW端末が置いてありますが使ってよいですか")
    case, _receipt = reporter.report_submit(
        report=reporter.ReportInput(category="conduct_rules", what="閲覧の疑い"), uploads=[]
    )
    assignment = Assignment.objects.filter(person=owner, completed_at__isnull=False).first()
    certificate = Certificate.objects.filter(assignment__person=owner).first() or __import__(
        "training.services", fromlist=["certificate_issue"]
    ).certificate_issue(assignment=assignment)
    attempt = owner.quiz_attempts.first() if hasattr(owner, "quiz_attempts") else None
    from quizzes.models import Attempt

    attempt = attempt or Attempt.objects.filter(person=owner).first()
    request = RequestFactory().get("/reports/regulator/")
    request.user = compliance
    issued = regulator_report_issue(
        request=request, actor=compliance, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30)
    )
    job = HRImportJob.objects.create(
        uploaded_by=people["site_admin"], filename="hr.csv", content=b"x", status=HRImportJob.Status.FAILED
    )
    document = AttestationDocument.objects.first()
    checklist = TransferChecklist.objects.first()
    case_url = f"/hotline/cases/{case.public_id}/"
    source = LogSource.objects.create(code="takuso", name="託送", system=System.CUSTOMER_INFO)
    log_import = LogImport.objects.create(source=source, filename="a.csv", sha256="0" * 64)
    at = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    finding = Finding.objects.create(
        rule=Rule.objects.get(kind=Rule.Kind.SHARED_TERMINAL),
        system=System.CUSTOMER_INFO,
        account_id=owner.employee_number,
        person=owner,
        unit=owner.unit,
        key="shared_terminal:customer_info:x:2026-05-01",
        on_date=at.date(),
        first_at=at,
        last_at=at,
    )
    rule_pk = Rule.objects.get(kind=Rule.Kind.BURST).pk
    contractor = Company.objects.create(code="CONTR", name="検針サービス", kind=Company.Kind.CONTRACTOR)
    purpose = ContractPurpose.objects.create(
        company=contractor, name="検針業務", systems=[System.CUSTOMER_INFO], valid_from=dt.date(2026, 4, 1)
    )
    everyone = ROLES[1:]
    rows = {
        "enquiries:detail": Row(f"/enquiries/{enquiry.pk}/", ("owner", "compliance")),
        "enquiries:queue": Row("/enquiries/queue/", ("compliance",)),
        "enquiries:answer": Row(f"/enquiries/{enquiry.pk}/answer/", ("compliance",), "post"),
        "enquiries:ask_back": Row(f"/enquiries/{enquiry.pk}/ask-back/", ("compliance",), "post"),
        "enquiries:reply": Row(f"/enquiries/{enquiry.pk}/reply/", ("owner",), "post"),
        "enquiries:close": Row(f"/enquiries/{enquiry.pk}/close/", ("compliance",), "post"),
        "enquiries:publish": Row(f"/enquiries/{enquiry.pk}/publish/", ("compliance",), "post"),
        "enquiries:attachment": Row(f"/enquiries/{enquiry.pk}/attachments/999999/", (), "get"),
        "training:manage": Row("/training/manage/", ("compliance",)),
        "training:exempt": Row(f"/training/manage/assignments/{assignment.pk}/exempt/", ("compliance",)),
        "training:reset_attempts": Row(f"/training/manage/assignments/{assignment.pk}/reset/", ("compliance",)),
        "training:checklist": Row(f"/training/checklists/{checklist.pk if checklist else 999999}/", ()),
        "quizzes:attempt": Row(f"/quizzes/attempts/{attempt.public_id}/", ("owner",)),
        "quizzes:attempt_retake": Row(f"/quizzes/attempts/{attempt.public_id}/retake/", ("owner",), "post"),
        "certificates:download": Row(f"/certificates/{certificate.pk}/download/", ("owner",)),
        "reports:dashboard": Row("/reports/", ("manager", "other_manager", "compliance")),
        "reports:unit": Row("/reports/units/HACHINOHE/", ("manager", "compliance")),
        "reports:unit#other-unit": Row("/reports/units/CC/", ("other_manager", "compliance")),
        "reports:overdue": Row("/reports/overdue/", ("manager", "other_manager", "compliance")),
        "reports:person": Row(f"/reports/people/{owner.employee_number}/", ("manager", "compliance")),
        "reports:export": Row("/reports/export/overdue.csv", ("manager", "other_manager", "compliance")),
        "reports:export_jobs": Row("/reports/exports/", ("manager", "other_manager", "compliance")),
        "reports:export_job": Row("/reports/exports/999999/", ()),
        "reports:export_job_download": Row("/reports/exports/999999/download/", ()),
        "reports:xapi": Row("/reports/xapi.json", ("manager", "other_manager", "compliance")),
        "reports:xapi#other-unit": Row("/reports/xapi.json?unit=CC", ("other_manager", "compliance")),
        "reports:xapi_push": Row("/reports/xapi/push/", ("compliance",), "post"),
        "reports:regulator": Row("/reports/regulator/", ("compliance",)),
        "reports:regulator_detail": Row(f"/reports/regulator/{issued.pk}/", ("compliance",)),
        "reports:regulator_download": Row(f"/reports/regulator/{issued.pk}/download/", ("compliance",)),
        "whistleblowing:case_list": Row("/hotline/cases/", ("handler",)),
        "whistleblowing:key_setup": Row("/hotline/cases/key/", ("handler",)),
        "whistleblowing:unlock": Row("/hotline/cases/key/unlock/", ("handler",)),
        "whistleblowing:lock": Row("/hotline/cases/key/lock/", ("handler",), "post"),
        "whistleblowing:recover": Row("/hotline/cases/key/recover/", ("handler",)),
        "whistleblowing:register": Row("/hotline/cases/register/", ("handler",)),
        "whistleblowing:case_detail": Row(case_url, ("handler",)),
        "whistleblowing:case_conflict": Row(f"{case_url}conflict/", ("handler",), "post"),
        "whistleblowing:case_status": Row(f"{case_url}status/", ("handler",), "post"),
        "whistleblowing:case_entry": Row(f"{case_url}entries/", ("handler",), "post"),
        "whistleblowing:case_grant": Row(f"{case_url}grant/", ("handler",), "post"),
        "whistleblowing:case_measure": Row(f"{case_url}measures/", ("handler",), "post"),
        "whistleblowing:case_identity": Row(f"{case_url}identity/", ("handler",), "post"),
        # The handler is first sent to the conflict-of-interest declaration, like on every case page.
        "whistleblowing:case_file": Row(f"{case_url}files/00000000-0000-0000-0000-000000000000/", ("handler",)),
        "people_hr_import": Row(reverse("people_hr_import"), ("site_admin",)),
        "people_hr_import_job": Row(reverse("people_hr_import_job", args=[job.pk]), ("site_admin",)),
        "unit:index": Row("/admin/unit/", ("site_admin",)),
        "unit:edit": Row(f"/admin/unit/edit/{owner.unit_id}/", ("site_admin",)),
        "transfer:index": Row("/admin/transfer/", ("site_admin",)),
        "transfer:edit": Row("/admin/transfer/edit/999999/", ()),
        "hotline_handlers:index": Row("/admin/hotline_handlers/", ("compliance",)),
        "hotline_handlers:edit": Row("/admin/hotline_handlers/edit/999999/", ()),
        # Access monitoring: compliance auditors only (issue 18), not compliance editors or superusers.
        "monitoring:dashboard": Row("/monitoring/", ("auditor",)),
        "monitoring:finding_list": Row("/monitoring/findings/", ("auditor",)),
        "monitoring:finding_detail": Row(f"/monitoring/findings/{finding.pk}/", ("auditor",)),
        "monitoring:finding_update": Row(f"/monitoring/findings/{finding.pk}/update/", ("auditor",), "post"),
        "monitoring:finding_note": Row(f"/monitoring/findings/{finding.pk}/notes/", ("auditor",), "post"),
        "monitoring:finding_training": Row(f"/monitoring/findings/{finding.pk}/training/", ("auditor",), "post"),
        "monitoring:import_list": Row("/monitoring/imports/", ("auditor",)),
        "monitoring:import_list#upload": Row("/monitoring/imports/", ("auditor",), "post"),
        "monitoring:import_detail": Row(f"/monitoring/imports/{log_import.pk}/", ("auditor",)),
        "monitoring:rule_list": Row("/monitoring/rules/", ("auditor",)),
        "monitoring:rule_update": Row(f"/monitoring/rules/{rule_pk}/", ("auditor",), "post"),
        "monitoring:register": Row("/monitoring/register/", ("auditor",)),
        "monitoring:register#enter": Row("/monitoring/register/", ("auditor",), "post"),
        "monitoring:source_list": Row("/monitoring/imports/sources/", ("auditor",)),
        "monitoring:source_add": Row("/monitoring/imports/sources/new/", ("auditor",)),
        "monitoring:source_edit": Row(f"/monitoring/imports/sources/{source.pk}/", ("auditor",)),
        "monitoring:source_edit#save": Row(f"/monitoring/imports/sources/{source.pk}/", ("auditor",), "post"),
        "monitoring:terminal_list": Row("/monitoring/terminals/", ("auditor",)),
        "monitoring:terminal_list#save": Row("/monitoring/terminals/", ("auditor",), "post"),
        "monitoring:contract_list": Row("/monitoring/contracts/", ("auditor",)),
        "monitoring:contract_add": Row("/monitoring/contracts/new/", ("auditor",)),
        "monitoring:contract_edit": Row(f"/monitoring/contracts/{purpose.pk}/", ("auditor",)),
        "monitoring:contract_edit#save": Row(f"/monitoring/contracts/{purpose.pk}/", ("auditor",), "post"),
    }
    if document is not None:
        rows["training:attestation"] = Row(f"/training/attestations/{document.slug}/", everyone)
        rows["training:attestation_report"] = Row(f"/training/manage/attestations/{document.slug}/", ("compliance",))
        rows["training:attestation_publish"] = Row(
            f"/training/manage/attestations/{document.slug}/publish/", ("compliance",)
        )
    else:
        rows["training:attestation"] = Row("/training/attestations/no-such-document/", ())
        rows["training:attestation_report"] = Row("/training/manage/attestations/no-such-document/", ())
        rows["training:attestation_publish"] = Row("/training/manage/attestations/no-such-document/publish/", ())
    return rows


def is_denied(response, role: str) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code in (301, 302):
        location = response["Location"]
        # The login page (Wagtail sends people without admin access there too) or the admin
        # home page (Wagtail's "permission denied").
        return "/accounts/login/" in location or "/admin/login/" in location or location.rstrip("/").endswith("/admin")
    return False


def client_for(role: str, people) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    if role == "handler":
        # A handler's case pages need their key unlocked for the session.
        assert client.post("/hotline/cases/key/unlock/", {"passphrase": PASSPHRASE}).status_code == 302
    return client


def test_every_sensitive_url_pattern_has_an_entry(rows):
    assert uncovered(pattern_names(), set(rows)) == set()


def test_a_new_unlisted_url_pattern_is_caught(rows):
    assert uncovered(pattern_names() | {"reports:new_secret_page"}, set(rows)) == {"reports:new_secret_page"}


def test_access_matrix(rows, people):
    problems = []
    clients = {role: client_for(role, people) for role in ROLES}
    for name, row in sorted(rows.items()):
        for role in ROLES:
            allowed = role in row.allowed
            if row.method == "post" and allowed:
                continue  # see the module docstring
            response = getattr(clients[role], row.method)(row.url, row.data)
            if allowed and is_denied(response, role):
                problems.append(f"{name}: {role} should be let in, got {response.status_code}")
            if not allowed and not is_denied(response, role):
                problems.append(f"{name}: {role} should be refused, got {response.status_code}")
    assert problems == [], "\n".join(problems)
