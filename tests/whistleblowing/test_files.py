"""Attachments: checked by content, encrypted before they touch the disk, decrypted only for handlers."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin

from audit.models import AuditEntry
from whistleblowing import records
from whistleblowing.models import Case, CaseFile

MARKER = "ATTACHMENT-MARKER-5f2c"


def _pdf(marker=MARKER) -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Title (" + marker.encode() + b") >> endobj\n%%EOF\n"


def _docx(with_document=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", f"<w:document>{MARKER}</w:document>")
    return buffer.getvalue()


def _image(fmt: str, *, gps: bool = False) -> bytes:
    """A small picture; with `gps`, carrying EXIF GPS position, camera owner and a comment."""
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "ACME Camera"  # Make
        exif[0x013B] = "EXIF-OWNER-MARKER"  # Artist
        exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 30.0, 15.0), 3: "E", 4: (141.0, 29.0, 5.0)})
        if fmt == "PNG":
            info = PngImagePlugin.PngInfo()
            info.add_text("Comment", "PNG-TEXT-MARKER")
            image.save(out, format="PNG", exif=exif, pnginfo=info)
        else:
            image.save(out, format="JPEG", exif=exif, comment=b"JPEG-COMMENT-MARKER")
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def _files_on_disk() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def _intake(client, **data):
    token = client.get("/hotline/").context["form_token"]
    return client.post("/hotline/", {"form_token": token, "category": "fraud", "what": "files", **data})


def test_attachment_is_stored_only_as_ciphertext_and_handler_gets_it_back(handler, handler_client):
    client = Client()
    response = _intake(client, attachments=[SimpleUploadedFile("evidence.pdf", _pdf(), "application/pdf")])
    assert "receipt" in response.context
    files = _files_on_disk()
    assert len(files) == 1
    assert files[0].parent.name == "hotline" and "evidence" not in files[0].name
    raw = files[0].read_bytes()
    assert MARKER.encode() not in raw and not raw.startswith(b"%PDF")
    case_file = CaseFile.objects.get()
    assert b"evidence" not in bytes(case_file.meta_box)
    hc = handler_client(handler)
    case = Case.objects.get()
    hc.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    download = hc.get(f"/hotline/cases/{case.public_id}/files/{case_file.public_id}/")
    assert download.status_code == 200
    assert download.content == _pdf()
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="hotline.file_decrypted").count() == 1
    # Nobody else can fetch it, and /media never serves it by name.
    assert Client().get(f"/hotline/cases/{case.public_id}/files/{case_file.public_id}/").status_code == 302


def test_files_are_checked_by_content_not_by_name(handler):
    client = Client()
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary", "application/pdf")
    response = _intake(client, what="bad file", attachments=[fake])
    assert "receipt" not in response.context
    assert "report.pdf" in str(response.context["form"].errors)
    assert not Case.objects.exists() and not _files_on_disk()


def test_docx_png_jpeg_and_text_are_accepted():
    uploads = [
        records.Upload("a.docx", _docx()),
        records.Upload("b.png", _image("PNG")),
        records.Upload("c.jpg", _image("JPEG")),
        records.Upload("d.txt", "日本語のメモ".encode()),
    ]
    checked = records.check_uploads(uploads)
    assert [c.content_type for c in checked] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
        "image/jpeg",
        "text/plain",
    ]


def test_a_zip_that_is_not_a_word_document_is_refused():
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        records.check_uploads([records.Upload("a.docx", _docx(with_document=False))])


def test_files_over_10_mb_are_refused_with_a_message_and_nothing_is_stored(handler):
    client = Client()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf")
    response = _intake(client, attachments=[big])
    assert "receipt" not in response.context
    assert "big.pdf" in str(response.context["form"].errors["attachments"])
    assert not Case.objects.exists() and not _files_on_disk()


def test_the_reporter_is_told_that_file_metadata_may_identify_them(handler):
    client = Client()
    client.cookies["django_language"] = "en"
    assert "identify you" in client.get("/hotline/").content.decode()


def test_reporter_can_add_files_later(handler, file_report):
    case, receipt = file_report()
    client = Client()
    page = client.post("/hotline/followup/", {"code": receipt.code})
    response = client.post(
        "/hotline/followup/case/",
        {
            "token": page.context["token"],
            "action": "reply",
            "text": "",
            "attachments": [SimpleUploadedFile("more.txt", b"more notes", "text/plain")],
        },
    )
    assert response.status_code == 200 and response.context["sent"]
    assert case.files.count() == 1
    assert b"more notes" not in _files_on_disk()[0].read_bytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_handlers_copy_of_a_photo_has_no_gps_or_other_metadata(handler, handler_client, fmt):
    """Issue 14 item 8: the working copy a handler downloads is stripped with Pillow."""
    original = _image(fmt, gps=True)
    with Image.open(io.BytesIO(original)) as check:  # the fixture really carries the metadata
        assert check.getexif().get_ifd(0x8825)
    response = _intake(Client(), attachments=[SimpleUploadedFile(f"photo.{fmt.lower()}", original)])
    assert "receipt" in response.context
    assert len(_files_on_disk()) == 1  # no original kept by default
    case, case_file = Case.objects.get(), CaseFile.objects.get()
    hc = handler_client(handler)
    hc.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    download = hc.get(f"/hotline/cases/{case.public_id}/files/{case_file.public_id}/").content
    for marker in (b"EXIF-OWNER-MARKER", b"ACME Camera", b"PNG-TEXT-MARKER", b"JPEG-COMMENT-MARKER", b"Exif"):
        assert marker not in download
    with Image.open(io.BytesIO(download)) as copy:
        assert copy.format == fmt and copy.size == (40, 30)
        assert not copy.getexif() and not copy.info.get("comment") and "Comment" not in copy.info
    assert hc.get(f"/hotline/cases/{case.public_id}/files/{case_file.public_id}/?original=1").status_code == 404


def test_a_setting_keeps_the_encrypted_original_for_the_handler(settings, handler, handler_client):
    settings.HOTLINE_KEEP_ORIGINAL_IMAGES = True
    original = _image("JPEG", gps=True)
    _intake(Client(), attachments=[SimpleUploadedFile("photo.jpg", original)])
    files = _files_on_disk()
    assert len(files) == 2 and all(b"EXIF-OWNER-MARKER" not in f.read_bytes() for f in files)
    case, case_file = Case.objects.get(), CaseFile.objects.get()
    hc = handler_client(handler)
    hc.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    url = f"/hotline/cases/{case.public_id}/files/{case_file.public_id}/"
    assert b"EXIF-OWNER-MARKER" not in hc.get(url).content
    assert hc.get(url + "?original=1").content == original
    assert AuditEntry.objects.filter(action="hotline.file_decrypted", detail__original=True).count() == 1


def test_an_unreadable_image_is_refused_with_a_message(handler):
    response = _intake(Client(), attachments=[SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)])
    assert "receipt" not in response.context
    assert "broken.jpg" in str(response.context["form"].errors)
    assert not Case.objects.exists() and not _files_on_disk()
