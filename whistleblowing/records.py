"""What either side writes into a case: its entries and its attached files, encrypted.

Uploads are checked by content and images lose their metadata before anything is stored; times
the reporter causes are kept to the hour (hotline threat model, "Stored times" and "Photos").
"""

import datetime
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from audit.uploads import DOCX, JPEG, PDF, PNG, TEXT, FileRefused, check_file

from . import crypto
from .models import Case, CaseEntry, CaseFile

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
FILE_DIR = "hotline"


def to_the_hour(moment: datetime.datetime) -> datetime.datetime:
    """Reporter-originated times are kept to the hour so they cannot be matched to a network log."""
    return moment.replace(minute=0, second=0, microsecond=0)


def file_storage():
    return storages["default"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes  # what handlers get: for an image, the copy without metadata
    original: bytes | None = None  # the upload as sent, when it differs from `data`


# PDF, PNG, JPEG, Word (DOCX) or plain text, told by content (audit/uploads.py), whatever the name.
ACCEPTED = (PDF, PNG, JPEG, DOCX, TEXT)


def check_uploads(uploads: list[Upload]) -> list[CheckedFile]:
    """Size, count and content-type checks; raises ValidationError listing every problem."""
    errors = []
    if len(uploads) > MAX_FILES:
        errors.append(_("You can attach at most %(count)d files at a time.") % {"count": MAX_FILES})
    checked = []
    for upload in uploads:
        name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
        if len(upload.data) > MAX_FILE_BYTES:
            errors.append(_("%(name)s is larger than 10 MB.") % {"name": name})
            continue
        if not upload.data:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        try:
            content_type = check_file(upload.data, ACCEPTED).mime
        except FileRefused as refused:
            if refused.reason == "unreadable":
                errors.append(_("%(name)s could not be read as an image.") % {"name": name})
            else:
                errors.append(_("%(name)s is not a PDF, PNG, JPEG, Word (DOCX) or plain-text file.") % {"name": name})
            continue
        if content_type in IMAGE_FORMATS:
            try:
                stripped = strip_image_metadata(upload.data, content_type)
            except ValidationError:
                errors.append(_("%(name)s could not be read as an image.") % {"name": name})
                continue
            checked.append(CheckedFile(name=name, content_type=content_type, data=stripped, original=upload.data))
            continue
        checked.append(CheckedFile(name=name, content_type=content_type, data=upload.data))
    if errors:
        raise ValidationError(errors)
    return checked


IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def keep_original_images() -> bool:
    """`HOTLINE_KEEP_ORIGINAL_IMAGES`: also keep the untouched upload (encrypted) beside the working copy."""
    return bool(getattr(settings, "HOTLINE_KEEP_ORIGINAL_IMAGES", False))


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """The picture only: EXIF (GPS position, camera, owner), XMP, IPTC, comments and PNG text
    chunks are left behind. The pixels are copied into a new image, turned as EXIF said."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
            if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
                clean.info["transparency"] = upright.info["transparency"]
            if upright.mode == "P":
                clean.putpalette(upright.getpalette())
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("An image could not be read. Attach it as a PDF or take the picture again.")) from exc
    out = io.BytesIO()
    fmt = IMAGE_FORMATS[content_type]
    if fmt == "JPEG":
        clean.convert("RGB").save(out, format="JPEG", quality=95)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def store_files(*, case: Case, report_key: bytes, files: list[CheckedFile], written: list[str]) -> None:
    """Encrypt in memory, then write only ciphertext under a random name.

    Images are stored as a working copy without metadata; the original only when
    `HOTLINE_KEEP_ORIGINAL_IMAGES` is on (hotline threat model, "Photos").
    """
    storage = file_storage()

    def save(name: str, data: bytes) -> str:
        stored = storage.save(name, ContentFile(crypto.encrypt(report_key, data)))
        written.append(stored)
        return stored

    for checked in files:
        meta = {"name": checked.name, "type": checked.content_type, "size": len(checked.data)}
        stem = f"{FILE_DIR}/{secrets.token_hex(20)}"
        if checked.original is not None:
            meta["stripped"] = True
            if keep_original_images():
                # Named after the working copy, so the purge finds it without the report key.
                meta["original"] = save(original_name(f"{stem}.bin"), checked.original)
                meta["original_size"] = len(checked.original)
        CaseFile.objects.create(
            case=case,
            storage_name=save(f"{stem}.bin", checked.data),
            meta_box=crypto.encrypt_json(report_key, meta),
            created_at=to_the_hour(timezone.now()),
        )


def original_name(storage_name: str) -> str:
    return storage_name.removesuffix(".bin") + ".original.bin"


def remove_written(written: list[str]) -> None:
    storage = file_storage()
    for name in written:
        storage.delete(name)
        if storage.exists(original_name(name)):
            storage.delete(original_name(name))


def write_entry(*, case: Case, report_key: bytes, kind: str, author=None, text: str = "", notice: str = "", when=None):
    body = {"text": text}
    if notice:
        body["notice"] = notice
    return CaseEntry.objects.create(
        case=case,
        kind=kind,
        author=author,
        body_box=crypto.encrypt_json(report_key, body),
        created_at=when or timezone.now(),
    )
