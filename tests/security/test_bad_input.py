"""Bad input on every form and upload (issue 8): one table, one row per (form, kind of bad input).

Each row sends one bad request the way a browser (or someone poking at the portal) would and
states the expected outcome:

- the answer is a page a person can read (200 with the form error, 400 with a message page,
  404 for an address that does not exist), never a 500;
- the message that tells them what to fix is on that page, in Japanese (the default language);
- no script or markup from the input comes back unescaped;
- rejected input changes nothing: the row counts of the models involved are the same and no
  file was left in MEDIA_ROOT or the private media folder;
- input that is accepted as plain text (an enquiry body with markup, a hotline message) is
  stored or shown safely instead; those rows name a `stored` check.

The kinds of bad input: empty, oversize, encoding (invalid UTF-8 bytes, or a declared
Shift_JIS body), html (markup and script), malformed (wrong types, unknown ids, impossible dates,
duplicated or unknown fields).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from enquiries import services as enquiry_services
from people.roles import (
    COMPLIANCE_EDITORS,
    DESIGNATED_HANDLERS,
    ENQUIRY_RESPONDERS,
    SITE_ADMINISTRATORS,
    TRAINING_ADMINISTRATORS,
)
from portal.models import HomePage, QAIndexPage
from quizzes.services import attempt_start, question_bank_publish, quiz_configure
from tests.factories import hotline as hotline_factories
from tests.factories import people as pf
from training import services as training_services
from training.models import TrainingIndexPage, TrainingModulePage, TransferChecklist
from whistleblowing import casework, handlers, reporter, tokens

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple"
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
# What must never come back from SCRIPT: a live script element or an attribute handler.
UNESCAPED = ("<script>alert", "<img src=x onerror")
BROKEN_UTF8 = b"\xff\xfe\x80\xc3("
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV_HEADER = "社員番号,メールアドレス,姓,名,会社コード,所属コード,雇用区分\n"

# Messages as the Japanese pages show them.
REQUIRED = "この項目は必須です"
TOO_LONG = "文字以下でなければなりません"
BAD_DATE = "日付を正しく入力してください。"
BAD_CHOICE = "正しく選択してください。"
BAD_EMAIL = "有効なメールアドレスを入力してください。"
EMPTY_FILE = "入力されたファイルは空です。"
BAD_REQUEST_PAGE = "リクエストを処理できませんでした"
NUL_REFUSED = "NUL文字（制御文字）は使えません。"  # our Japanese for "Null characters are not allowed."
NOT_FOUND = "ページが存在しないか"
UNKNOWN_CYCLE = "年度が不明です"
FOREIGN_CHOICE = "この問題にない選択肢"
REPLY_EMPTY = "メッセージを書くか、ファイルを添付してください。"
NO_CERTIFICATE = "このコードの修了証はありません。"
CODE_NOT_RECOGNISED = "この受付番号は確認できませんでした"


class World:
    """The people and objects the rows need, made through the services on first use only."""

    def __init__(self, settings, tmp_path):
        self.settings = settings
        self.tmp_path = tmp_path

    # --- people ---------------------------------------------------------------------------
    @cached_property
    def org(self):
        return pf.unit("HACHINOHE", "八戸営業所")

    @cached_property
    def asker(self):
        self.org  # noqa: B018 - the unit first
        return pf.person(email="asker@example.jp", employee_number="E100001")

    @cached_property
    def responder(self):
        return self._mfa(ENQUIRY_RESPONDERS, email="responder@example.jp")

    @cached_property
    def trainer(self):
        return self._mfa(TRAINING_ADMINISTRATORS, email="trainer@example.jp")

    @cached_property
    def site_admin(self):
        # Outside the HR file (hr_managed=False), so an import does not count them as a leaver.
        return self._mfa(SITE_ADMINISTRATORS, email="it@example.jp", is_superuser=True, is_staff=True, hr_managed=False)

    @cached_property
    def compliance(self):
        return self._mfa(COMPLIANCE_EDITORS, email="compliance@example.jp")

    @cached_property
    def handler(self):
        person = self._mfa(DESIGNATED_HANDLERS, email="handler@example.jp")
        hotline_factories.designate(person=person, by=self.compliance)
        person.recovery_key = handlers.handler_key_setup(person=person, passphrase=PASSPHRASE)
        return person

    @cached_property
    def keyless_handler(self):
        person = self._mfa(DESIGNATED_HANDLERS, email="new-handler@example.jp")
        hotline_factories.designate(person=person, by=self.compliance)
        return person

    def _mfa(self, *groups, **kwargs):
        person = pf.person(groups=groups, **kwargs)
        pf.enrol_totp(person)
        return person

    def client(self, who: str | None = None) -> Client:
        client = Client()
        if who:
            client.force_login(getattr(self, who))
        if who == "handler":
            assert client.post("/hotline/cases/key/unlock/", {"passphrase": PASSPHRASE}).status_code == 302
        return client

    # --- enquiries ------------------------------------------------------------------------
    @cached_property
    def enquiry(self):
        return enquiry_services.enquiry_submit(asker=self.asker, subject="端末について", body="使ってよいですか")

    @cached_property
    def answered_enquiry(self):
        enquiry_services.enquiry_answer(responder=self.responder, enquiry=self.enquiry, body="使わないでください")
        return self.enquiry

    @cached_property
    def home(self):
        home = Page.get_first_root_node().add_child(instance=HomePage(title="ホーム", slug="home-bad"))
        site = Site.objects.filter(is_default_site=True).first() or Site(hostname="localhost", is_default_site=True)
        site.root_page = home
        site.save()
        Site.clear_site_root_paths_cache()
        return home

    @cached_property
    def qa_index(self):
        index = QAIndexPage(title="Q&A", slug="qa")
        self.home.add_child(instance=index)
        index.save_revision().publish()
        return index

    # --- hotline --------------------------------------------------------------------------
    @cached_property
    def case_and_receipt(self):
        self.handler  # noqa: B018 - sealed for the handler, who must exist first
        return reporter.report_submit(
            report=reporter.ReportInput(category="conduct_rules", what="閲覧の疑い"), uploads=[]
        )

    @property
    def case(self):
        return self.case_and_receipt[0]

    @cached_property
    def case_url(self) -> str:
        casework.conflict_declare(case=self.case, handler=self.handler, has_conflict=False)
        return f"/hotline/cases/{self.case.public_id}/"

    @cached_property
    def substantiated_case_url(self) -> str:
        url = self.case_url
        private_key = handlers.handler_key_unlock(person=self.handler, passphrase=PASSPHRASE)
        report_key = casework.case_report_key(case=self.case, handler=self.handler, private_key=private_key)
        for status in ("acknowledged", "investigating", "substantiated"):
            casework.case_change_status(case=self.case, handler=self.handler, report_key=report_key, status=status)
        return url

    @cached_property
    def identity_case_url(self) -> str:
        """A report that names its reporter, so the handler's page offers the identity form."""
        self.handler  # noqa: B018
        report = reporter.ReportInput(category="conduct_rules", what="閲覧の疑い", identity="八戸 花子")
        case, _receipt = reporter.report_submit(report=report, uploads=[])
        casework.conflict_declare(case=case, handler=self.handler, has_conflict=False)
        return f"/hotline/cases/{case.public_id}/"

    @cached_property
    def grant_case_url(self) -> str:
        """The case, and a second handler designated after it was filed: someone access can be granted to."""
        url = self.case_url
        other = self._mfa(DESIGNATED_HANDLERS, email="handler-two@example.jp")
        hotline_factories.designate(person=other, by=self.compliance)
        handlers.handler_key_setup(person=other, passphrase=PASSPHRASE)
        return url

    @cached_property
    def followup_token(self) -> str:
        case, report_key = reporter.followup_open(code=self.case_and_receipt[1].code)
        return tokens.followup_token(case_public_id=case.public_id, report_key=report_key)

    # --- quizzes and training ------------------------------------------------------------
    @cached_property
    def attempt(self):
        bank = question_bank_publish(
            slug="bad-bank",
            title="bad bank",
            questions=[
                {
                    "kind": "single",
                    "text": f"問{i}",
                    "choices": [{"text": "正しい", "correct": True}, {"text": "誤り", "correct": False}],
                    "explanation": "<p>解説</p>",
                }
                for i in range(2)
            ],
        )
        quiz = quiz_configure(slug="bad", title="Quiz", bank_slugs=[bank.slug], question_count=2)
        return attempt_start(person=self.asker, quiz=quiz, context="bad-input")

    @cached_property
    def module(self):
        index = TrainingIndexPage(title="研修", slug="training-bad")
        self.home.add_child(instance=index)
        index.save_revision().publish()
        module = TrainingModulePage(
            title="モジュール", slug="m", summary="概要", lessons=[], due_rule="days_after", due_days=30
        )
        index.add_child(instance=module)
        module.save_revision().publish()
        return TrainingModulePage.objects.get(pk=module.pk)

    @cached_property
    def assignment(self):
        return training_services.assignment_assign_manual(person=self.asker, module=self.module, actor=self.trainer)

    @cached_property
    def checklist(self):
        from people.models import Transfer

        to_unit = pf.unit("SENDAI", "仙台営業所")
        transfer = Transfer.objects.create(
            person=self.asker, from_unit=self.org, to_unit=to_unit, effective_on=timezone.localdate()
        )
        return training_services.checklist_create_for_transfer(transfer=transfer)

    @cached_property
    def attestation(self):
        from training.models import AttestationDocument

        document = AttestationDocument.objects.create(title="行動規範", slug="code", audience_everyone=True)
        training_services.attestation_publish_version(
            document=document, body="守ります。", material=True, actor=self.trainer
        )
        self.asker  # noqa: B018
        return document

    @cached_property
    def hr_reference(self):
        """The codes an HR file refers to."""
        return self.org, pf.employment_type("REGULAR"), self.site_admin

    @cached_property
    def manager(self):
        """A manager of the unit the asker moves to: countersigns the asker's checklist."""
        boss = pf.person(email="boss@example.jp")
        self.checklist.to_unit.managers.add(boss)
        return boss

    @cached_property
    def confirmed_checklist(self):
        self.manager  # noqa: B018
        items = list(TransferChecklist.Item.values)
        return training_services.checklist_confirm(checklist=self.checklist, person=self.asker, items=items)


# --- how the rows send ------------------------------------------------------------------------


def post(who, url, data=None, **extra) -> Callable:
    """A POST by `who` (None: anonymous) to `url`; both may be callables of the world."""

    def send(w: World):
        target = url(w) if callable(url) else url
        payload = data(w) if callable(data) else data
        return w.client(who).post(target, payload or {}, follow=True, **extra)

    return send


def post_raw(who, url, body: bytes | Callable, content_type="application/x-www-form-urlencoded") -> Callable:
    def send(w: World):
        target = url(w) if callable(url) else url
        client = w.client(who)
        # generic(): post() would re-encode the body from UTF-8 to the declared charset.
        response = client.generic("POST", target, body(w) if callable(body) else body, content_type=content_type)
        return client.get(response["Location"]) if response.status_code == 302 else response

    return send


def redirect_of(who, url, data=None) -> Callable:
    """The redirect itself (not followed): where a switch sends the browser."""

    def send(w: World):
        client = w.client(who)
        return client.post(url, data) if data is not None else client.get(url)

    return send


def get(who, url) -> Callable:
    def send(w: World):
        return w.client(who).get(url(w) if callable(url) else url, follow=True)

    return send


def hr_import_run(content: bytes) -> Callable:
    """Upload an HR file, let its job run (it is queued on commit) and open the job's page."""

    def send(w: World):
        client = w.client("site_admin")
        with w.capture_on_commit(execute=True):
            response = client.post(reverse("people_hr_import"), {"file": upload("hr.csv", content)})
        assert response.status_code == 302, visible_text(response.content.decode())
        return client.get(response["Location"])

    return send


def pct(raw: bytes) -> str:
    return quote_from_bytes(raw)


def upload(name: str, content: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def intake(**fields) -> Callable:
    def data(w: World):
        w.handler  # noqa: B018 - the hotline only takes reports when a handler can read them
        return {"form_token": tokens.intake_token(), "category": "conduct_rules", "what": "閲覧の疑い", **fields}

    return data


def followup_reply(**fields) -> Callable:
    return lambda w: {"token": w.followup_token, "action": "reply", **fields}


def quiz_answers(make: Callable[[dict], dict], action="submit") -> Callable:
    """The attempt's questions as `q-<id>` fields, changed by `make`."""

    def data(w: World):
        first, second = w.attempt.questions
        fields = {
            f"q-{first['id']}": first["choices"][0]["id"],
            f"q-{second['id']}": second["choices"][0]["id"],
        }
        # The attempt's sequence number, as the page sends it: an out-of-date form is refused.
        made = make({"first": first, "second": second, "fields": fields})
        return {"action": action, "sequence": w.attempt.sequence, **made}

    return data


def hr_csv(*rows: str, encoding="utf-8") -> bytes:
    return (CSV_HEADER + "".join(f"{r}\n" for r in rows)).encode(encoding)


# --- checks of what was stored ------------------------------------------------------------------


def enquiry_stored_plain(w: World, response):
    from enquiries.models import Enquiry

    latest = Enquiry.objects.order_by("-pk").first()
    assert "<" not in latest.subject + latest.body
    assert 'alert("xss")' in latest.subject


def answer_stored_plain(w: World, response):
    from enquiries.models import EnquiryMessage

    body = EnquiryMessage.objects.order_by("-pk").first().body
    assert "<" not in body and 'alert("xss")' in body


def report_escaped(w: World, response):
    """The report is sealed with its markup as text; the handler's page shows it escaped."""
    from whistleblowing.models import Case

    case = Case.objects.order_by("-pk").first()
    client = w.client("handler")
    casework.conflict_declare(case=case, handler=w.handler, has_conflict=False)
    page = client.get(f"/hotline/cases/{case.public_id}/").content.decode()
    assert "&lt;script&gt;alert(" in page
    assert not any(fragment in page for fragment in UNESCAPED)


def acknowledged_once(w: World, response):
    from training.models import Acknowledgement

    assert list(Acknowledgement.objects.values_list("person__email", "version__number")) == [("asker@example.jp", 1)]


def imported_from_cp932(w: World, response):
    from people.models import HRImportJob, Person

    assert HRImportJob.objects.get().status == HRImportJob.Status.SUCCEEDED
    assert Person.objects.get(employee_number="E900002").family_name == "東山"


def unanswered_counts_as_wrong(w: World, response):
    """Submitting with a question left out, once confirmed, is allowed (unticked means no answer) and grades it
    wrong."""
    w.attempt.refresh_from_db()
    assert not w.attempt.is_open
    assert w.attempt.correct_count <= 1
    assert len(w.attempt.responses.all()) == 2


def identity_not_viewed(w: World, response):
    from audit.models import AuditEntry

    assert not AuditEntry.objects.filter(action="hotline.identity_viewed").exists()
    assert "八戸 花子" not in response.content.decode()


def note_stored_without_nul(w: World, response):
    w.checklist.refresh_from_db()
    assert w.checklist.manager_note == f"確認済み{SCRIPT}"


def key_unchanged(w: World, response):
    from whistleblowing.models import HandlerKey

    assert handlers.handler_key_unlock(person=w.handler, passphrase=PASSPHRASE)  # the old passphrase still opens it
    assert HandlerKey.objects.filter(person=w.handler).count() == 1


def no_search_made(w: World, response):
    page = response.content.decode()
    assert "result-count" not in page
    assert not any(ch in page for ch in "\x00\x01\x1b\x7f")


def stays_on_site(w: World, response):
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def case_entry_escaped(w: World, response):
    page = w.client("handler").get(w.case_url).content.decode()
    assert "&lt;script&gt;alert(" in page


def reporter_reply_escaped(w: World, response):
    assert "&lt;script&gt;alert(" in response.content.decode()


def qa_draft_escaped(w: World, response):
    from portal.models import QAPage

    draft = QAPage.objects.order_by("-pk").first().get_latest_revision_as_object()
    answer = str(draft.items.first().answer)
    assert "<script" not in answer and "<img" not in answer and "alert(" in answer


def exemption_stored_as_text(w: World, response):
    w.assignment.refresh_from_db()
    assert w.assignment.exemption_reason == SCRIPT


def broken_bytes_replaced(w: World, response):
    """Bytes that are not UTF-8 become U+FFFD: stored as readable text, never as raw bytes."""
    from enquiries.models import Enquiry

    assert Enquiry.objects.order_by("-pk").first().subject.startswith("\ufffd")


def attempt_still_open(w: World, response):
    w.attempt.refresh_from_db()
    assert w.attempt.is_open


def nobody_imported(w: World, response):
    from people.models import HRImportJob, Person

    assert HRImportJob.objects.get().status == HRImportJob.Status.FAILED
    assert not Person.objects.filter(employee_number="E900001").exists()
    assert "&lt;script&gt;" in response.content.decode()


# --- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    form: str
    bad: str
    send: Callable[[World], object]
    says: str  # on the final page (after redirects)
    status: int = 200  # of the final page
    models: tuple[str, ...] = ()  # row counts that must not change (rejected input)
    stored: Callable[[World, object], None] | None = None  # how accepted input was stored or shown safely
    setup: Callable[[World, object], None] | None = None

    @property
    def id(self) -> str:
        return f"{self.form}-{self.bad}"


ENQ = ("enquiries.Enquiry", "enquiries.EnquiryMessage", "enquiries.EnquiryAttachment")
CASE = ("whistleblowing.Case", "whistleblowing.CaseEntry", "whistleblowing.CaseFile")
ENTRY = ("whistleblowing.CaseEntry",)
QUIZ = ("quizzes.AttemptResponse",)
MANAGE = ("training.Assignment",)
HR = ("people.HRImportJob", "people.Person")
ISSUED = ("reports.IssuedReport",)
QA = ("portal.QAPage", "wagtailcore.Revision")
AUDIT = ("audit.AuditEntry",)


def small_attachment_limit(w: World, _):
    w.settings.PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES = 1024


def small_hr_limit(w: World, monkeypatch):
    monkeypatch.setattr("people.admin_views.MAX_UPLOAD_BYTES", 1024)


LOGIN, RESET, SEARCH = "/accounts/login/", "/accounts/password/reset/", "/search/?q="
ASK, INTAKE, FOLLOWUP, REPORTER = "/enquiries/new/", "/hotline/", "/hotline/followup/", "/hotline/followup/case/"
MANAGE_URL, REGULATOR = "/training/manage/", "/reports/regulator/"
SUPERSCRIPT_YEAR = "FY%C2%B2%C2%B2%C2%B2%C2%B2"  # "FY²²²²": digits to str.isdigit(), not to int()


def body_over_limit(w: World) -> bytes:
    return b"subject=a&body=" + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_many_fields(w: World) -> bytes:
    return "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)).encode()


def too_many_files(w: World) -> dict:
    return intake(attachments=[upload(f"{i}.txt", b"x") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)])(w)


SCRIPT_QS = quote_from_bytes(SCRIPT.encode())


def answer_url(w):
    return f"/enquiries/{w.enquiry.pk}/answer/"


def reply_url(w):
    return f"/enquiries/{w.enquiry.pk}/reply/"


def publish_url(w):
    return f"/enquiries/{w.answered_enquiry.pk}/publish/"


def attempt_url(w):
    return f"/quizzes/attempts/{w.attempt.public_id}/"


def exempt_url(w):
    return f"/training/manage/assignments/{w.assignment.pk}/exempt/"


def checklist_url(w):
    return f"/training/checklists/{w.checklist.pk}/"


def countersign_url(w):
    return f"/training/checklists/{w.confirmed_checklist.pk}/"


def conflict_url(w):
    return f"/hotline/cases/{w.case.public_id}/conflict/"


def grant_url(w):
    return f"{w.grant_case_url}grant/"


def identity_url(w):
    return f"{w.identity_case_url}identity/"


def measure_url(w):
    return f"{w.substantiated_case_url}measures/"


def hr_url(w):
    return reverse("people_hr_import")


def case_form(name: str) -> Callable:
    return lambda w: f"{w.case_url}{name}/"


def ask(**fields) -> dict:
    return {"subject": "件名", "body": "本文", **fields}


def hr_file(content: bytes, name="hr.csv") -> dict:
    return {"file": upload(name, content)}


def choice(make: Callable[[dict, dict], str | list]) -> Callable:
    """The quiz answers with the first question's answer replaced by make(first question, fields)."""
    return quiz_answers(lambda q: {**q["fields"], f"q-{q['first']['id']}": make(q["first"], q["fields"])})


# fmt: off
ROWS = [
    # --- log-in and password reset (allauth) --------------------------------------------------------------
    Row("login", "empty", post(None, LOGIN, {"login": "", "password": ""}), REQUIRED),
    Row("login", "oversize", post(None, LOGIN, {"login": "x" * 300, "password": "x"}), TOO_LONG),
    Row("login", "encoding", post_raw(None, LOGIN, b"login=%FF%FE%80&password=x"), "正しくありません"),
    Row("login", "html", post(None, LOGIN, {"login": SCRIPT, "password": "x"}), "正しくありません"),
    Row("login", "malformed", post(None, LOGIN, {"login": "E1\x00", "password": "x"}), NUL_REFUSED),
    Row("password reset", "empty", post(None, RESET, {"email": ""}), REQUIRED),
    Row("password reset", "oversize", post(None, RESET, {"email": "a" * 400 + "@x.jp"}), BAD_EMAIL),
    Row("password reset", "encoding", post_raw(None, RESET, b"email=%FF%FE%40example.jp"), BAD_EMAIL),
    Row("password reset", "html", post(None, RESET, {"email": SCRIPT}), BAD_EMAIL),
    # --- enquiry desk --------------------------------------------------------------------------------------
    Row("enquiry ask", "empty", post("asker", ASK, {"subject": "", "body": ""}), REQUIRED, models=ENQ),
    Row("enquiry ask", "empty-file", post("asker", ASK, ask(attachment=upload("memo.txt", b""))), EMPTY_FILE,
        models=ENQ),
    Row("enquiry ask", "oversize", post("asker", ASK, ask(subject="件" * 201)), TOO_LONG, models=ENQ),
    Row("enquiry ask", "oversize-file", post("asker", ASK, ask(attachment=upload("memo.pdf", PDF + b"0" * 2048))),
        "ファイルが大きすぎます", models=ENQ, setup=small_attachment_limit),
    Row("enquiry ask", "encoding", post_raw("asker", ASK, b"subject=%FF%FE%80&body=%E6%9C%AC"), "照会窓口に送りました",
        stored=broken_bytes_replaced),
    # Django reads form posts as UTF-8 only; a body declared as Shift_JIS is refused whole.
    Row("enquiry ask", "encoding-shift_jis", post_raw("asker", ASK, "subject=件&body=本文".encode("cp932"),
        "application/x-www-form-urlencoded; charset=shift_jis"), BAD_REQUEST_PAGE, 400, models=ENQ),
    Row("enquiry ask", "encoding-file", post("asker", ASK, ask(attachment=upload("memo.txt", BROKEN_UTF8 * 10))),
        "この種類のファイルは添付できません", models=ENQ),
    Row("enquiry ask", "html", post("asker", ASK, {"subject": SCRIPT, "body": SCRIPT}), "照会窓口に送りました",
        stored=enquiry_stored_plain),
    Row("enquiry ask", "html-only", post("asker", ASK, {"subject": "<b></b>", "body": "<p> </p>"}),
        "入力してください。", models=ENQ),
    Row("enquiry ask", "malformed", post("asker", ASK, ask(rule="abc")), BAD_CHOICE, models=ENQ),
    Row("enquiry ask", "malformed-file", post("asker", ASK, ask(attachment=upload("a.png", b"\x89PNG\r\n\x1a\nnot"))),
        "この種類のファイルは添付できません", models=ENQ),
    Row("enquiry answer", "empty", post("responder", answer_url, {"answer-body": ""}), REQUIRED, 400, models=ENQ),
    Row("enquiry answer", "oversize", post("responder", answer_url, {"answer-body": "あ" * 10_001}), TOO_LONG, 400,
        models=ENQ),
    Row("enquiry answer", "html", post("responder", answer_url, {"answer-body": SCRIPT}), "回答を送りました",
        stored=answer_stored_plain),
    # A valid file with a body that is empty once markup is removed: the reply is refused and the file not kept.
    Row("enquiry reply", "html-only", post("asker", reply_url, {"reply-body": "<p></p>",
        "reply-attachment": upload("memo.pdf", PDF)}), "入力してください。", 400, models=ENQ),
    Row("enquiry reply", "oversize-file", post("asker", reply_url, {"reply-body": "追記",
        "reply-attachment": upload("memo.pdf", PDF + b"0" * 2048)}), "ファイルが大きすぎます", 400, models=ENQ,
        setup=small_attachment_limit),
    Row("publish as Q&A", "empty", post("responder", publish_url, {"question": "", "answer": ""}), REQUIRED,
        models=QA),
    Row("publish as Q&A", "oversize", post("responder", publish_url, {"question": "問" * 501, "answer": "答",
        "new_topic_title": "新"}), TOO_LONG, models=QA),
    Row("publish as Q&A", "malformed", post("responder", publish_url, {"question": "問", "answer": "答",
        "topic": "999999"}), BAD_CHOICE, models=QA),
    Row("publish as Q&A", "html", post("responder", publish_url, {"question": "問", "answer": SCRIPT,
        "new_topic_title": "新しいトピック"}), "下書き", stored=qa_draft_escaped),
    # --- hotline: intake and follow-up (anonymous) ---------------------------------------------------------
    Row("hotline intake", "empty", post(None, INTAKE, intake(what="", category="")), REQUIRED, models=CASE),
    Row("hotline intake", "oversize", post(None, INTAKE, intake(what="あ" * 20_001, attachments=upload("a.pdf", PDF))),
        TOO_LONG, models=CASE),
    Row("hotline intake", "oversize-file", post(None, INTAKE, intake(attachments=upload("big.pdf",
        PDF + b"0" * (10 * 1024 * 1024)))), "10MBを超えています", models=CASE),
    Row("hotline intake", "encoding-file", post(None, INTAKE, intake(attachments=upload("memo.txt",
        BROKEN_UTF8 * 10))), "テキストのいずれでもありません", models=CASE),
    Row("hotline intake", "html", post(None, INTAKE, intake(what=SCRIPT)), "受付番号", stored=report_escaped),
    Row("hotline intake", "malformed", post(None, INTAKE, intake(category="nonsense", excluded="abc")), BAD_CHOICE,
        models=CASE),
    Row("hotline intake", "malformed-token", post(None, INTAKE, intake(form_token=SCRIPT)), "有効期限",
        models=CASE),
    Row("hotline intake", "too many files", post(None, INTAKE, too_many_files), BAD_REQUEST_PAGE, 400, models=CASE),
    Row("hotline follow-up", "empty", post(None, FOLLOWUP, {"code": ""}), REQUIRED),
    Row("hotline follow-up", "oversize", post(None, FOLLOWUP, {"code": "A" * 61}), TOO_LONG),
    Row("hotline follow-up", "encoding", post_raw(None, FOLLOWUP, b"code=%FF%FE%80"), CODE_NOT_RECOGNISED),
    Row("hotline follow-up", "html", post(None, FOLLOWUP, {"code": SCRIPT[:60]}), CODE_NOT_RECOGNISED),
    Row("reporter message", "empty", post(None, REPORTER, followup_reply(text="")),
        REPLY_EMPTY, 400, models=CASE),
    Row("reporter message", "oversize", post(None, REPORTER, followup_reply(text="あ" * 20_001,
        attachments=upload("a.pdf", PDF))), TOO_LONG, 400, models=CASE),
    Row("reporter message", "html", post(None, REPORTER, followup_reply(text=SCRIPT)), "情報を通報に追加しました",
        stored=reporter_reply_escaped),
    Row("reporter message", "malformed-token", post(None, REPORTER, {"token": SCRIPT,
        "action": "reply", "text": "追記"}), "有効期限", 403, models=CASE),
    # --- hotline: designated handlers ----------------------------------------------------------------------
    Row("case status", "malformed", post("handler", case_form("status"), {"status": SCRIPT}), BAD_CHOICE, 400,
        models=ENTRY),
    Row("case note", "empty", post("handler", case_form("entries"), {"kind": "note", "text": ""}), REQUIRED, 400,
        models=ENTRY),
    Row("case note", "oversize", post("handler", case_form("entries"), {"kind": "note", "text": "あ" * 20_001}),
        TOO_LONG, 400, models=ENTRY),
    Row("case note", "html", post("handler", case_form("entries"), {"kind": "note", "text": SCRIPT}), "保存しました",
        stored=case_entry_escaped),
    Row("case access grant", "malformed", post("handler", grant_url, {"handler": SCRIPT}), BAD_CHOICE, 400,
        models=("whistleblowing.CaseKey",)),
    Row("identity reveal", "empty", post("handler", identity_url, {"reason": ""}), REQUIRED, 400,
        stored=identity_not_viewed),
    Row("identity reveal", "oversize", post("handler", identity_url, {"reason": "理" * 2001}), TOO_LONG, 400,
        stored=identity_not_viewed),
    Row("case measure", "malformed", post("handler", measure_url, {"description": "是正", "owner": "総務",
        "due_on": "2026-02-30", "check_on": SCRIPT}), BAD_DATE, 400, models=("whistleblowing.CorrectiveMeasure",)),
    Row("conflict declaration", "malformed", post("handler", conflict_url, {"declaration": "maybe"}), BAD_CHOICE,
        models=("whistleblowing.ConflictDeclaration",)),
    Row("key setup", "empty", post("keyless_handler", "/hotline/cases/key/", {"passphrase": ""}), REQUIRED,
        models=("whistleblowing.HandlerKey",)),
    Row("key setup", "malformed", post("keyless_handler", "/hotline/cases/key/", {"passphrase": "short",
        "passphrase_again": "other"}), "12 文字以上", models=("whistleblowing.HandlerKey",)),
    Row("key unlock", "html", post("handler", "/hotline/cases/key/unlock/", {"passphrase": SCRIPT}),
        "パスフレーズが正しくありません"),
    Row("key recovery", "malformed", post("handler", "/hotline/cases/key/recover/", {"recovery_key": SCRIPT[:100],
        "passphrase": "a new long passphrase", "passphrase_again": "a new long passphrase"}),
        "回復キーが正しくありません", models=("whistleblowing.HandlerKey",), stored=key_unchanged),
    # --- quizzes: the attempt page's POST ------------------------------------------------------------------
    Row("quiz submit", "empty", post("asker", attempt_url, quiz_answers(lambda q: {}, action="save")), "保存しました",
        models=QUIZ, stored=attempt_still_open),
    Row("quiz submit", "unknown question", post("asker", attempt_url, quiz_answers(lambda q: {**q["fields"],
        "q-99999": "x"})), "この受験に含まれていない問題", models=QUIZ, stored=attempt_still_open),
    Row("quiz submit", "missing answer", post("asker", attempt_url, quiz_answers(lambda q: {
        f"q-{q['first']['id']}": q["first"]["choices"][0]["id"]}, action="submit_unanswered")), "不合格",
        stored=unanswered_counts_as_wrong),
    Row("quiz submit", "non-integer choice", post("asker", attempt_url, choice(lambda q, f: "abc")), FOREIGN_CHOICE,
        models=QUIZ, stored=attempt_still_open),
    Row("quiz submit", "duplicated field", post("asker", attempt_url, choice(lambda q, f: [c["id"] for c in
        q["choices"]])), "選択肢は1つだけ", models=QUIZ, stored=attempt_still_open),
    Row("quiz submit", "huge value", post("asker", attempt_url, choice(lambda q, f: "9" * 100_000)), FOREIGN_CHOICE,
        models=QUIZ, stored=attempt_still_open),
    Row("quiz submit", "html", post("asker", attempt_url, choice(lambda q, f: SCRIPT)), FOREIGN_CHOICE, models=QUIZ,
        stored=attempt_still_open),
    # --- training administration, transfer checklists ------------------------------------------------------
    Row("training assign", "empty", post("trainer", MANAGE_URL, {"person": "", "module": ""}), REQUIRED,
        models=MANAGE),
    Row("training assign", "oversize", post("trainer", MANAGE_URL, {"person": "x" * 255}), TOO_LONG, models=MANAGE),
    Row("training assign", "html", post("trainer", MANAGE_URL, {"person": SCRIPT}), "人は見つかりません",
        models=MANAGE),
    Row("training assign", "malformed", post("trainer", MANAGE_URL, {"person": "E100001", "module": "abc",
        "due_date": "2026-13-45"}), BAD_DATE, models=MANAGE),
    Row("training list filter", "malformed", get("trainer", f"{MANAGE_URL}?q=%00&status=%00&module=%C2%B2"),
        "該当する割当はありません"),
    Row("training list filter", "html", get("trainer", f"{MANAGE_URL}?q={SCRIPT_QS}&status={SCRIPT_QS}"),
        "該当する割当はありません"),
    Row("training exempt", "empty", post("trainer", exempt_url, {"reason": ""}), REQUIRED, models=MANAGE),
    Row("training exempt", "oversize", post("trainer", exempt_url, {"reason": "理" * 2001}), TOO_LONG, models=MANAGE),
    Row("training exempt", "html", post("trainer", exempt_url, {"reason": SCRIPT}), "免除を記録しました",
        stored=exemption_stored_as_text),
    Row("attestation", "malformed", post("asker", "/training/attestations/code/", {"version": "999",
        "person": "1", "acknowledged": SCRIPT}), "確認を記録しました", stored=acknowledged_once),
    Row("checklist sign-off", "empty", post("asker", checklist_url, {}), "すべての項目", models=AUDIT),
    Row("checklist sign-off", "malformed", post("asker", checklist_url, {"items": ["nonsense", SCRIPT]}),
        "すべての項目", models=AUDIT),
    Row("checklist countersign", "html", post("manager", countersign_url, {"action": "countersign",
        "note": f"確認\x00済み{SCRIPT}"}), "上長として確認しました", stored=note_stored_without_nul),
    # --- reports ---------------------------------------------------------------------------------------------
    Row("regulator report", "empty", post("trainer", REGULATOR, {"start": "", "end": ""}), "YYYY-MM-DD", 400,
        models=ISSUED),
    Row("regulator report", "oversize", post("trainer", REGULATOR, {"start": "2026-04-01" * 1000,
        "end": "2026-06-30"}), "YYYY-MM-DD", 400, models=ISSUED),
    Row("regulator report", "html", post("trainer", REGULATOR, {"start": SCRIPT, "end": SCRIPT}), "YYYY-MM-DD", 400,
        models=ISSUED),
    Row("regulator report", "malformed", post("trainer", REGULATOR, {"start": "2026-06-30", "end": "2026-04-01"}),
        "終了日が開始日より前", 400, models=ISSUED),
    Row("report export", "malformed", get("trainer", f"/reports/export/overdue.csv?cycle={SUPERSCRIPT_YEAR}"),
        UNKNOWN_CYCLE, 400),
    Row("report export", "html", get("trainer", f"/reports/export/overdue.csv?cycle={SCRIPT_QS}"), UNKNOWN_CYCLE,
        400),
    Row("report export", "html-unit", get("trainer", f"/reports/export/overdue.csv?unit={SCRIPT_QS}"), NOT_FOUND,
        404),
    Row("certificate verify", "html", get(None, f"/certificates/verify/?code={SCRIPT_QS}"), NO_CERTIFICATE, 404),
    Row("certificate verify", "oversize", get(None, "/certificates/verify/?code=" + "A" * 5000), NO_CERTIFICATE, 404),
    Row("certificate verify", "malformed", get(None, "/certificates/verify/?code=%00%C2%B2"), NO_CERTIFICATE, 404),
    Row("dashboard filter", "malformed", get("trainer", f"/reports/?cycle={SUPERSCRIPT_YEAR}"), UNKNOWN_CYCLE),
    Row("person results", "malformed", get("trainer", "/reports/people/%00/"), NOT_FOUND, 404),
    # --- HR import (Wagtail admin) ------------------------------------------------------------------------
    Row("HR import", "empty", post("site_admin", hr_url, hr_file(b"")), EMPTY_FILE, models=HR),
    Row("HR import", "oversize", post("site_admin", hr_url, hr_file(hr_csv() * 100)), "50MBを超えています",
        models=HR, setup=small_hr_limit),
    Row("HR import", "not csv", post("site_admin", hr_url, hr_file(b"PK\x03\x04", "hr.xlsx")), "CSV", models=HR),
    Row("HR import", "binary", post("site_admin", hr_url, hr_file(b"\x00\x01\x02" * 100)),
        "テキストファイルではありません", models=HR),
    Row("HR import", "encoding", post("site_admin", hr_url, hr_file(hr_csv() + BROKEN_UTF8)), "UTF-8ではないバイト",
        models=HR),
    Row("HR import", "encoding-not-shift_jis", post("site_admin", hr_url, hr_file(b"employee_number\n\x80\xfd\xfe")),
        "Shift_JIS（cp932）でもありません", models=HR),
    Row("HR import", "encoding-cp932", hr_import_run(hr_csv("E900002,new@example.jp,東山,健一,MICHINOKU,HACHINOHE,"
        "REGULAR", encoding="cp932")), "取込済み", stored=imported_from_cp932),
    Row("HR import", "html", hr_import_run(hr_csv(f"E900001,{SCRIPT},{SCRIPT},名,MICHINOKU,HACHINOHE,REGULAR")),
        "何も変更されていません", stored=nobody_imported),
    # --- search, language switch ----------------------------------------------------------------------------
    Row("search", "empty", get("asker", f"{SEARCH}%20%20%20"), "検索する言葉", stored=no_search_made),
    Row("search", "oversize", get("asker", SEARCH + "あ" * 5000), f"「{'あ' * 200}」を含むページが 0 件"),
    Row("search", "encoding", get("asker", f"{SEARCH}%FF%FE%80"), "「\ufffd\ufffd\ufffd」を含むページが 0 件"),
    Row("search", "html", get("asker", SEARCH + SCRIPT_QS), "「&lt;script&gt;alert(&quot;xss&quot;)"),
    Row("search", "malformed", get("asker", f"{SEARCH}%00%01%1b%7f&page=abc"), "検索する言葉", stored=no_search_made),
    Row("language switch", "malformed", redirect_of(None, "/i18n/setlang/", {"language": SCRIPT,
        "next": "https://evil.example/"}), "", 302, stored=stays_on_site),
    Row("hotline language switch", "malformed", redirect_of(None, "/hotline/language/?lang=%00&next=//evil.example/"),
        "", 302, stored=stays_on_site),
    # --- request limits (Django refuses before any view runs) ----------------------------------------------
    Row("request body", "oversize", post_raw("asker", ASK, body_over_limit), BAD_REQUEST_PAGE, 400, models=ENQ),
    Row("request body", "too many fields", post_raw("asker", ASK, too_many_fields), BAD_REQUEST_PAGE, 400,
        models=ENQ),
    Row("hotline request body", "too many fields", post_raw(None, INTAKE, too_many_fields), BAD_REQUEST_PAGE, 400,
        models=CASE),
]
# fmt: on


def visible_text(page: str) -> str:
    """The page as a person reads it, for failure messages."""
    main = page.split("<main", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))[:1500]


def model_counts(labels) -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in labels}


def files_under(*roots: Path) -> set[str]:
    return {str(p) for root in roots if Path(root).exists() for p in Path(root).rglob("*") if p.is_file()}


@pytest.fixture
def world(fast_hotline_crypto, settings, tmp_path, django_capture_on_commit_callbacks):
    made = World(settings, tmp_path)
    made.capture_on_commit = django_capture_on_commit_callbacks
    return made


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row: Row, world: World, monkeypatch):
    if row.setup:
        row.setup(world, monkeypatch)
    # Everything the row refers to exists before the counts are taken.
    _prime(row, world)
    before = model_counts(row.models)
    files_before = files_under(world.settings.MEDIA_ROOT, world.settings.PORTAL_PRIVATE_MEDIA_ROOT)

    response = row.send(world)

    page = response.content.decode()
    assert (response.status_code, row.says in page) == (row.status, True), visible_text(page)
    for fragment in UNESCAPED:
        assert fragment not in page
    if row.stored:
        row.stored(world, response)
    if row.models:  # rejected: nothing half-done
        assert model_counts(row.models) == before
        assert files_under(world.settings.MEDIA_ROOT, world.settings.PORTAL_PRIVATE_MEDIA_ROOT) == files_before


def _prime(row: Row, world: World) -> None:
    """Create the objects a row's URL and data refer to, so counting starts after them."""
    for name in PRIMES.get(row.form, ()):
        getattr(world, name)


PRIMES = {
    "enquiry ask": ("asker",),
    "enquiry answer": ("enquiry", "responder"),
    "enquiry reply": ("enquiry",),
    "publish as Q&A": ("answered_enquiry", "qa_index"),
    "hotline intake": ("handler",),
    "hotline follow-up": ("case_and_receipt",),
    "reporter message": ("followup_token",),
    "case status": ("case_url",),
    "case note": ("case_url",),
    "case measure": ("substantiated_case_url",),
    "case access grant": ("grant_case_url",),
    "identity reveal": ("identity_case_url",),
    "conflict declaration": ("case_and_receipt",),
    "key setup": ("keyless_handler",),
    "quiz submit": ("attempt",),
    "training assign": ("module", "trainer", "asker"),
    "training exempt": ("assignment",),
    "checklist sign-off": ("checklist",),
    "regulator report": ("trainer",),
    "HR import": ("hr_reference",),
    "key recovery": ("handler",),
    "attestation": ("attestation",),
    "request body": ("asker",),
    "hotline request body": ("handler",),
}


# Every form and upload a person can submit (issue 8's inventory); a form dropped from the table fails.
INVENTORY = {
    "login", "password reset",
    "enquiry ask", "enquiry answer", "enquiry reply", "publish as Q&A",
    "hotline intake", "hotline follow-up", "reporter message", "hotline request body", "hotline language switch",
    "case status", "case note", "case measure", "case access grant", "identity reveal", "conflict declaration",
    "key setup",
    "key unlock", "key recovery",
    "quiz submit", "attestation",
    "training assign", "training list filter", "training exempt", "checklist sign-off", "checklist countersign",
    "regulator report", "report export", "dashboard filter", "person results", "certificate verify",
    "HR import",
    "search", "language switch", "request body",
}  # fmt: skip


def test_the_table_covers_the_inventory_once_per_row():
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids))
    assert {r.form for r in ROWS} == INVENTORY
