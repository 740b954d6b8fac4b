"""One check of what an uploaded file is, by content: shared by enquiry attachments and hotline files."""

import io
import zipfile

import pytest
from PIL import Image

from audit.uploads import DOCX, JPEG, PDF, PNG, TEXT, FileRefused, check_file

ALL = (PDF, PNG, JPEG, DOCX, TEXT)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%%EOF\n", PDF),
        (_png(), PNG),
        (_zip("[Content_Types].xml", "word/document.xml"), DOCX),
        ("社内規程のメモ\n".encode(), TEXT),
        ("\ufeffBOM付きのメモ".encode(), TEXT),
        ("シフトJISのメモ".encode("cp932"), TEXT),
    ],
)
def test_kinds_are_told_by_content(data, kind):
    assert check_file(data, ALL) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary",
        _zip("[Content_Types].xml"),  # a ZIP, not a Word document
        b"\xff\xfe\x80\xc3(" * 10,  # neither UTF-8 nor cp932 text
        b"text with a \x00 byte",
    ],
)
def test_other_content_is_refused_as_a_type(data):
    with pytest.raises(FileRefused) as refused:
        check_file(data, ALL)
    assert refused.value.reason == "type"


def test_a_kind_the_caller_does_not_accept_is_refused():
    with pytest.raises(FileRefused):
        check_file(_zip("[Content_Types].xml", "word/document.xml"), (PDF, TEXT))


def test_with_a_name_its_extension_must_be_the_kinds():
    assert check_file(_png(), ALL, name="photo.PNG") == PNG
    with pytest.raises(FileRefused):
        check_file(_png(), ALL, name="photo.pdf")


def test_an_image_that_does_not_decode_is_unreadable():
    with pytest.raises(FileRefused) as refused:
        check_file(b"\x89PNG\r\n\x1a\nnot", ALL)
    assert refused.value.reason == "unreadable"
