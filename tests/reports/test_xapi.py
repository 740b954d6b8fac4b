"""xAPI statements: structure, stable ids, JSON export and the push to an LRS (only the HTTP call is mocked)."""

import json
import uuid
from unittest import mock

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports import xapi
from reports.models import ExportJob
from training.models import Assignment

pytestmark = pytest.mark.django_db


def export(client) -> list[dict]:
    """The xAPI file is an export job like the others: stored with its SHA-256, then downloaded."""
    response = client.get(reverse("reports:xapi") + "?cycle=FY2026")
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert job.table == "xapi" and job.status == ExportJob.Status.DONE and len(job.sha256) == 64
    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    return json.loads(b"".join(download.streaming_content))


def test_statements_have_the_xapi_structure(client, world):
    client.force_login(world["admin"])
    statements = export(client)
    verbs = {s["verb"]["id"] for s in statements}
    assert verbs == {
        "http://adlnet.gov/expapi/verbs/completed",
        "http://adlnet.gov/expapi/verbs/passed",
        "http://adlnet.gov/expapi/verbs/failed",
    }
    for statement in statements:
        assert xapi.validate(statement) == []
        assert uuid.UUID(statement["id"]).version == 5
        assert statement["actor"]["account"]["name"].startswith(("E", "T", "M", "X"))
        assert "mbox" not in statement["actor"]
        assert {"actor", "verb", "object", "result", "timestamp"} <= statement.keys()
    failed = [s for s in statements if s["verb"]["id"].endswith("failed")]
    assert {s["actor"]["account"]["name"] for s in failed} == {"E0001", "E0002"}
    assert all(s["result"]["success"] is False and s["result"]["score"]["scaled"] == 0.0 for s in failed)
    passed = [s for s in statements if s["verb"]["id"].endswith("passed")]
    assert [s["result"]["score"]["scaled"] for s in passed] == [1.0]


def test_re_export_gives_the_same_ids(client, world):
    client.force_login(world["admin"])
    first = [s["id"] for s in export(client)]
    second = [s["id"] for s in export(client)]
    assert first == second and len(set(first)) == len(first)


def test_validation_catches_a_broken_statement():
    assert "missing verb" in xapi.validate({"id": str(uuid.uuid4()), "actor": {}, "object": {}, "timestamp": "x"})


def test_push_posts_batches_to_the_configured_lrs(client, world, settings):
    settings.XAPI_LRS_URL = "https://lrs.example.jp/xapi/"
    settings.XAPI_LRS_AUTH = "Basic abc"
    client.force_login(world["admin"])
    ok = mock.Mock(status_code=200)
    with mock.patch("requests.post", return_value=ok) as post:
        response = client.post(reverse("reports:xapi_push"), {"cycle": "FY2026"})
    assert response.status_code == 302
    sent = [s for call in post.call_args_list for s in json.loads(call.kwargs["data"])]
    assert post.call_args.args[0] == "https://lrs.example.jp/xapi/statements"
    assert post.call_args.kwargs["headers"]["X-Experience-API-Version"] == "1.0.3"
    assert [s["id"] for s in sent] == [s["id"] for s in export(client)]
    assert AuditEntry.objects.filter(action="reports.xapi_pushed", detail__statements=len(sent)).exists()


def test_push_refused_by_the_lrs_shows_a_message(client, world, settings):
    settings.XAPI_LRS_URL = "https://lrs.example.jp/xapi/"
    client.force_login(world["admin"])
    with mock.patch("requests.post", return_value=mock.Mock(status_code=401)):
        response = client.post(reverse("reports:xapi_push"), {"cycle": "FY2026"}, follow=True)
    assert "401" in response.content.decode()


def test_statement_ids_come_from_the_activity_iri_base_not_the_site_url(client, world, settings):
    """Moving the portal to another host name changes no statement id; the IRI base set in settings does."""
    client.force_login(world["admin"])
    settings.WAGTAILADMIN_BASE_URL = "https://old-host.example.jp"
    first = export(client)
    settings.WAGTAILADMIN_BASE_URL = "https://new-host.example.jp"
    assert [s["id"] for s in export(client)] == [s["id"] for s in first]
    assert all(s["object"]["id"].startswith(settings.XAPI_ACTIVITY_IRI_BASE) for s in first)
    assert {uuid.UUID(s["id"]).version for s in first} == {5}  # name-based, so stable across exports
    settings.XAPI_ACTIVITY_IRI_BASE = "https://elsewhere.example/xapi"
    assert not {s["id"] for s in export(client)} & {s["id"] for s in first}


def test_context_registration_identifies_the_assignment(client, world):
    """A module's statement and the attempts made for the same assignment share one registration."""
    client.force_login(world["admin"])
    statements = export(client)
    completed = [s for s in statements if s["verb"]["id"].endswith("completed")]
    assert completed
    for statement in completed:
        registration = statement["context"]["registration"]
        assert uuid.UUID(registration).version == 5
    assignment = Assignment.objects.filter(status="completed", module__quiz__isnull=False, cycle="FY2026").first()
    mine = [s for s in statements if s.get("context", {}).get("registration") == xapi.registration(assignment.pk)]
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in mine}
    assert "completed" in verbs and verbs & {"passed", "failed"}
    assert len({s["context"]["registration"] for s in completed}) == len(completed)


@pytest.mark.parametrize("answer", [204, 409])
def test_an_lrs_that_already_holds_the_ids_counts_them_as_delivered(client, world, settings, answer):
    """A 409 (or 204) for statements already stored is not a failure: the push goes on to the end."""
    settings.XAPI_LRS_URL = "https://lrs.example.jp/xapi/"
    client.force_login(world["admin"])
    total = len(export(client))
    with mock.patch("requests.post", return_value=mock.Mock(status_code=answer)) as post:
        response = client.post(reverse("reports:xapi_push"), {"cycle": "FY2026"}, follow=True)
    assert str(total) in response.content.decode()
    assert AuditEntry.objects.filter(action="reports.xapi_pushed", detail__statements=total).exists()
    sent = [s["id"] for call in post.call_args_list for s in json.loads(call.kwargs["data"])]
    assert set(sent) == {s["id"] for s in export(client)}
