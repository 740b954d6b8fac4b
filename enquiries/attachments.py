"""Attachments: checked by content (not by name), kept outside the public media folder under
unguessable names, and served only through a view that applies the enquiry's access rule."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit import uploads
from infrastructure.storage import PrivateMediaStorage

ACCEPTED = (uploads.PDF, uploads.PNG, uploads.JPEG, uploads.TEXT)
ALLOWED_LABEL = "PDF, PNG, JPEG, TXT"


def max_bytes() -> int:
    return getattr(settings, "PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


class PrivateStorage(PrivateMediaStorage):
    """Enquiry attachments: never under MEDIA_ROOT, which a web server may publish as /media/."""


def upload_to(instance, filename: str) -> str:
    ext = Path(filename).suffix.lower()
    return f"enquiries/{uuid.uuid4().hex}{ext}"


def validate_attachment(upload) -> str:
    """The content type to serve an uploaded file with, or ValidationError with a message the
    asker can act on."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). Attach files up to %(limit)s MB."),
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:g}"},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        kind = uploads.check_file(data, ACCEPTED, name=upload.name or "")
    except uploads.FileRefused:
        raise ValidationError(
            _("This type of file cannot be attached. Attach a %(allowed)s file whose name ends in its type."),
            code="bad_type",
            params={"allowed": ALLOWED_LABEL},
        ) from None
    return "text/plain; charset=utf-8" if kind == uploads.TEXT else kind.mime
