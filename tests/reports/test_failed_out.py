"""Acceptance 3: one person who failed out shows as failed out on the dashboard, in the CSV and XLSX
exports, in the regulator report and in xAPI, all in the same test."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from people.roles import TRAINING_ADMINISTRATORS
from quizzes.services import attempt_start, attempt_submit
from reports import selectors, xapi
from reports.models import ExportJob
from reports.pdf import regulator_report_html
from training import services as training
from training.models import Assignment

from .conftest import answers, jst

pytestmark = pytest.mark.django_db
STATUS = selectors.ASSIGNMENT_EXPORT_FIELDS.index("status")
FAILED_AT = selectors.ASSIGNMENT_EXPORT_FIELDS.index("failed_out_at")


@pytest.fixture
def failed_out(org, make_module, make_quiz, mfa_user, django_capture_on_commit_callbacks):  # noqa: F811
    from tests.factories import people as pf

    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        admin = mfa_user(TRAINING_ADMINISTRATORS, unit_code="CC", email="admin-f@example.jp", employee_number="T0009")
        person = pf.person(email="fo@example.jp", unit_code="HACHINOHE", employee_number="E0099")
        module = make_module("basics", units=("HACHINOHE",), quiz=make_quiz(max_attempts=2), due_days=10)
        training.assignments_sync()
    assignment = Assignment.objects.get(person=person, module=module)
    for day in (3, 5):
        with time_machine.travel(jst(2026, 6, day, 10, 0), tick=False):
            attempt = attempt_start(person=person, quiz=module.quiz, context=assignment.quiz_context)
            with django_capture_on_commit_callbacks(execute=True):
                attempt_submit(attempt=attempt, answers=answers(attempt, right=False))
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.FAILED_OUT
    return admin, assignment


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert job.status == ExportJob.Status.DONE
    return b"".join(client.get(reverse("reports:export_job_download", args=[job.pk])).streaming_content)


def test_a_failed_out_person_shows_as_failed_out_everywhere(client, failed_out, rf):
    admin, assignment = failed_out
    client.force_login(admin)
    with time_machine.travel(jst(2026, 7, 15, 10, 0), tick=False):
        # Dashboard: its own count, not overdue and not "still in time".
        response = client.get(reverse("reports:dashboard"))
        board = response.context["board"]
        assert (board.total.failed_out, board.total.overdue, board.total.on_track) == (1, 0, 0)
        assert "不合格確定" in response.content.decode()
        person_page = client.get(reverse("reports:person", args=["E0099"])).content.decode()
        assert "不合格確定" in person_page

        # CSV and XLSX: the module row counts it, and the person's row says so.
        rows = list(csv.reader(io.StringIO(download(client, "/reports/export/modules.csv").decode("utf-8-sig"))))
        column = rows[0].index("不合格確定")
        assert rows[1][column] == "1"
        rows = list(csv.reader(io.StringIO(download(client, "/reports/export/assignments.csv").decode("utf-8-sig"))))
        mine = next(r for r in rows[1:] if r[0] == "E0099")
        assert mine[STATUS] == "不合格確定"
        assert rows[0][FAILED_AT] == "不合格確定日時" and mine[FAILED_AT] == "2026-06-05 10:00"
        sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/reports/export/assignments.xlsx"))).active
        mine = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "E0099")
        assert mine[STATUS] == "不合格確定"

        # Regulator report: counted as failed out, not as overdue.
        data = selectors.regulator_report_data(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
        assert (data.total.assigned, data.total.failed_out, data.total.overdue) == (1, 1, 0)
        html = regulator_report_html(
            request=rf.get("/"),
            start=dt.date(2026, 4, 1),
            end=dt.date(2026, 6, 30),
            issued_at=dt.datetime(2026, 7, 15, 1, 0, tzinfo=dt.UTC),
            issued_by=admin,
        )
        assert "不合格確定" in html

        # xAPI: the module is "failed" for this person, in the assignment's registration.
        statements = json.loads(download(client, "/reports/xapi.json"))
    module_failed = [
        s
        for s in statements
        if s["object"]["id"].endswith(f"/modules/{assignment.module_id}") and s["verb"]["id"].endswith("/failed")
    ]
    assert [s["actor"]["account"]["name"] for s in module_failed] == ["E0099"]
    assert module_failed[0]["result"] == {"completion": False, "success": False}
    assert module_failed[0]["context"]["registration"] == xapi.registration(assignment.pk)
    assert xapi.validate(module_failed[0]) == []
