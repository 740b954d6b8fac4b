"""Every way to upload a file has an explicit size limit (docs/deployment.md "Limits")."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.settings import base

pytestmark = pytest.mark.django_db


def test_request_limits_are_deliberate():
    assert base.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert base.DATA_UPLOAD_MAX_NUMBER_FIELDS == 5000
    assert base.DATA_UPLOAD_MAX_NUMBER_FILES == 20
    assert base.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert base.PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES == 5 * 1024 * 1024
    assert base.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert base.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert base.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 50 * 1000 * 1000


def test_wagtail_documents_refuse_files_over_the_limit(settings):
    from wagtail.documents import get_document_model
    from wagtail.documents.forms import get_document_form

    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    form_class = get_document_form(get_document_model())
    big = form_class({"title": "big"}, {"file": SimpleUploadedFile("big.txt", b"x" * 1025, content_type="text/plain")})
    small = form_class(
        {"title": "small"}, {"file": SimpleUploadedFile("small.txt", b"x" * 1024, content_type="text/plain")}
    )
    assert "file" in big.errors
    assert "file" not in small.errors


def test_wagtail_images_use_the_limit_from_settings():
    from wagtail.images.fields import WagtailImageField

    field = WagtailImageField()
    assert field.max_upload_size == settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert field.max_image_pixels == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


def test_the_other_uploads_have_their_own_limits():
    from enquiries.attachments import max_bytes
    from people.admin_views import MAX_UPLOAD_BYTES
    from whistleblowing.middleware import InMemoryUploadHandler
    from whistleblowing.records import MAX_FILE_BYTES, MAX_FILES

    assert max_bytes() == 5 * 1024 * 1024
    assert MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    assert InMemoryUploadHandler().max_bytes == MAX_FILE_BYTES == 10 * 1024 * 1024
    assert MAX_FILES == 5
