"""What an uploaded file is, judged by its content and never by its name: one check for the files
people hand in, enquiry attachments (enquiries/attachments.py) and hotline files
(whistleblowing/records.py). Each caller says which kinds it accepts and words its own messages.

It lives in `audit`, the app at the bottom of the dependency graph (it imports only Django), which
enquiries and whistleblowing already import: neither needs `portal` for it, and no cycle can form.
"""

import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image


@dataclass(frozen=True)
class Kind:
    mime: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
TEXT = Kind("text/plain", (".txt",))

IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG"}
# The kinds with a signature, recognised by the filetype package's matchers; text has none.
_MATCHERS = {filetype.get_type(mime=kind.mime): kind for kind in (PDF, PNG, JPEG, DOCX)}


class FileRefused(Exception):
    """`reason` is "type" (not an accepted kind, or a name that says another kind) or "unreadable"
    (an accepted image by its signature that does not decode)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_file(data: bytes, accepted: Collection[Kind], *, name: str | None = None) -> Kind:
    """The kind of `data` among `accepted`, or FileRefused. With `name`, its extension must be one
    of that kind's too (a file keeps its name when it is downloaded again)."""
    kind = _kind_of(data)
    if kind is None or kind not in accepted:
        raise FileRefused("type")
    if name is not None and Path(name).suffix.lower() not in kind.extensions:
        raise FileRefused("type")
    if kind in IMAGE_FORMATS and not _image_decodes(data, IMAGE_FORMATS[kind]):
        raise FileRefused("unreadable")
    return kind


def _kind_of(data: bytes) -> Kind | None:
    matcher = filetype.match(data, matchers=list(_MATCHERS)) if data else None
    if matcher is not None:
        kind = _MATCHERS[matcher]
        # The matcher reads the archive's first entries only; the document itself must be there.
        return kind if kind != DOCX or _is_word_archive(data) else None
    return TEXT if _is_text(data) else None


def _is_word_archive(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _image_decodes(data: bytes, expected: str) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == expected
    except Exception:  # noqa: BLE001 - any decoding failure means "not a valid image"
        return False


def _is_text(data: bytes) -> bool:
    if not data or b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # cp932 decodes almost any bytes; binary shows up as control or private-use characters.
        return all(c.isprintable() or c in "\t\n\r\f" for c in text)
    return False
