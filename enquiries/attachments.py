"""Attachments: checked by content (not by name), kept outside the public media folder under
unguessable names, and served only through a view that applies the enquiry's access rule."""

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.storage import PrivateMediaStorage


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
TEXT = Kind("text/plain; charset=utf-8", (".txt",))
ALLOWED_LABEL = "PDF, PNG, JPEG, TXT"


def max_bytes() -> int:
    return getattr(settings, "PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


class PrivateStorage(PrivateMediaStorage):
    """Enquiry attachments: never under MEDIA_ROOT, which a web server may publish as /media/."""


def upload_to(instance, filename: str) -> str:
    ext = Path(filename).suffix.lower()
    return f"enquiries/{uuid.uuid4().hex}{ext}"


def detect(head: bytes, data_reader) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG if _image_ok(data_reader, "PNG") else None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG if _image_ok(data_reader, "JPEG") else None
    return TEXT if _text_ok(data_reader()) else None


def _image_ok(data_reader, expected: str) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data_reader())) as image:
            image.verify()
            return image.format == expected
    except Exception:  # noqa: BLE001 - any decoding failure means "not a valid image"
        return False


def _text_ok(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(c.isprintable() or c in "\t\n\r\f" for c in text)
    return False


def validate_attachment(upload) -> Kind:
    """The kind of an uploaded file, or ValidationError with a message the asker can act on."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). Attach files up to %(limit)s MB."),
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:g}"},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")

    def read_all() -> bytes:
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        return data

    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = detect(head, read_all)
    ext = Path(upload.name or "").suffix.lower()
    if kind is None or ext not in kind.extensions:
        raise ValidationError(
            _("This type of file cannot be attached. Attach a %(allowed)s file whose name ends in its type."),
            code="bad_type",
            params={"allowed": ALLOWED_LABEL},
        )
    return kind
