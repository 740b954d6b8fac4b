import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from people import roles
from people.models import HRImportJob, Person
from tests.people.test_hr_import import ROWS, csv_bytes, reference_data  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin(mfa_user):
    # An IT account outside the HR file, so importing the file does not count it as a leaver.
    return mfa_user(roles.SITE_ADMINISTRATORS, unit_code="IT", email="it@example.jp", hr_managed=False)


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(content: bytes, name="hr.csv", **extra):
        # The import task is enqueued on commit; the test settings run tasks immediately.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("people_hr_import"),
                {"file": SimpleUploadedFile(name, content, "text/csv"), **extra},
                follow=True,
            )

    return post


def test_upload_imports_in_a_task_and_shows_the_result(client, site_admin, upload):
    client.force_login(site_admin)
    upload(csv_bytes(ROWS, "cp932"))
    job = HRImportJob.objects.get()
    assert job.status == HRImportJob.Status.SUCCEEDED
    assert job.result["created"] == 5
    assert job.percent == 100
    html = client.get(reverse("people_hr_import_job", args=[job.pk])).content.decode()
    assert 'value="100"' in html  # the progress bar
    assert Person.objects.filter(employee_number="A002").exists()
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "hr_import.uploaded",
        "hr_import.applied",
    ]


def test_rejected_upload_lists_the_errors_and_changes_nothing(client, site_admin, upload):
    client.force_login(site_admin)
    before = Person.objects.count()
    upload(csv_bytes(["A001,boss@example.jp,東山,健一,MICHINOKU,MARS,REGULAR,,"]))
    job = HRImportJob.objects.get()
    assert job.status == HRImportJob.Status.FAILED
    page = client.get(reverse("people_hr_import_job", args=[job.pk])).content.decode()
    assert "所属コード「MARS」は登録されていません" in page
    assert "何も変更されていません" in page
    assert Person.objects.count() == before


def test_binary_or_wrong_type_files_are_refused_before_import(client, site_admin, upload):
    client.force_login(site_admin)
    assert "テキストファイルではありません" in upload(b"\x00\x01PK").content.decode()
    assert "CSVファイル" in upload(b"a,b", "hr.xlsx").content.decode()
    assert not HRImportJob.objects.exists()


def test_only_site_administrators_may_import(client, mfa_user, upload):
    editor = mfa_user(roles.COMPLIANCE_EDITORS)
    client.force_login(editor)
    assert client.get(reverse("people_hr_import")).status_code in (302, 403)
    response = upload(csv_bytes(ROWS))
    assert not HRImportJob.objects.exists()
    assert response.status_code in (200, 403)
