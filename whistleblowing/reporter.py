"""What the reporter does: file a report, open it again with the receipt code, add to it.

Nothing here is audited and no task or e-mail is made while the reporter's request runs: that
would time the report. The case is only marked; the hourly batch (`periodic`) tells the handlers.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .casework import reseal_waiting_case
from .models import Case, CaseEntry, CaseKey, FollowupThrottle, IntakeNonce
from .records import Upload, check_uploads, remove_written, store_files, to_the_hour, write_entry
from .selectors import receiving_handlers

INTAKE_NONCE_KEEP_SECONDS = 4 * 60 * 60  # as long as an intake form token is valid


class ReceiptRejected(Exception):
    """The receipt code did not open a case. One answer for every reason."""


class FollowupDelayed(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


@dataclass
class ReportInput:
    category: str
    what: str
    when: str = ""
    where: str = ""
    people: str = ""
    identity: str = ""
    excluded_handler_ids: list[int] = field(default_factory=list)


@transaction.atomic
def intake_nonce_use(*, nonce: str) -> bool:
    """Record a form token as used; False when it was used before.

    The expiry is counted from the hour, not the second, so it does not date the report.
    """
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    expires_at = to_the_hour(timezone.now()) + datetime.timedelta(hours=1, seconds=INTAKE_NONCE_KEEP_SECONDS)
    try:
        with transaction.atomic():
            IntakeNonce.objects.create(digest=digest, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def report_submit(*, report: ReportInput, uploads: list[Upload]) -> tuple[Case, crypto.Receipt]:
    """File a report: encrypt everything, seal the key to the allowed handlers, return the receipt."""
    if report.category not in Case.Category.values:
        raise ValidationError(_("Choose a category."))
    if not report.what.strip():
        raise ValidationError(_("Describe what happened."))
    files = check_uploads(uploads)
    excluded = set(report.excluded_handler_ids)
    recipients = [h for h in receiving_handlers().select_related("hotline_key") if h.pk not in excluded]
    if not recipients:
        raise ValidationError(
            _("At least one designated handler must be able to read your report. Please exclude fewer handlers.")
        )
    written: list[str] = []
    try:
        with transaction.atomic():
            case, receipt = _create_case(report=report, recipients=recipients, files=files, written=written)
    except BaseException:
        remove_written(written)
        raise
    return case, receipt


def _create_case(*, report: ReportInput, recipients, files, written) -> tuple[Case, crypto.Receipt]:
    report_key = crypto.new_key()
    ops, mem = crypto.receipt_kdf_limits()
    for _attempt in range(20):
        receipt = crypto.generate_receipt()
        if not Case.objects.filter(lookup=receipt.lookup).exists():
            break
    else:  # pragma: no cover - 20 collisions in a 2**20 space mean something else is wrong
        raise RuntimeError("could not find a free receipt lookup")
    salt = crypto.new_salt()
    now = timezone.now()
    content = {
        "what": report.what.strip(),
        "when": report.when.strip(),
        "where": report.where.strip(),
        "people": report.people.strip(),
        "excluded": sorted(report.excluded_handler_ids),
    }
    case = Case.objects.create(
        lookup=receipt.lookup,
        secret_hash=crypto.hash_receipt_secret(receipt.secret),
        reporter_salt=salt,
        reporter_key_box=crypto.encrypt(crypto.derive_key(receipt.code, salt, ops, mem), report_key),
        kdf_opslimit=ops,
        kdf_memlimit=mem,
        category=report.category,
        content_box=crypto.encrypt_json(report_key, content),
        identity_box=crypto.encrypt_json(report_key, {"identity": report.identity.strip()})
        if report.identity.strip()
        else None,
        received_at=to_the_hour(now),
        pending_notice="new_case",
    )
    CaseKey.objects.bulk_create(
        CaseKey(
            case=case,
            handler=handler,
            sealed_key=crypto.seal(handler.hotline_key.public_key, report_key),
            created_at=to_the_hour(now),
        )
        for handler in recipients
    )
    store_files(case=case, report_key=report_key, files=files, written=written)
    return case, receipt


# --- follow-up by the reporter ----------------------------------------------------------------


def _throttle_settings() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "HOTLINE_THROTTLE_FREE_FAILURES", 5)),
        # Short, because the wait falls on everyone, honest reporters included (see the threat model).
        int(getattr(settings, "HOTLINE_THROTTLE_MAX_DELAY_SECONDS", 10)),
        int(getattr(settings, "HOTLINE_THROTTLE_RESET_SECONDS", 3600)),
    )


def followup_delay_remaining(*, now: datetime.datetime | None = None) -> int:
    """Seconds every client must still wait before the next receipt code is checked."""
    now = now or timezone.now()
    free, max_delay, reset = _throttle_settings()
    row = FollowupThrottle.objects.filter(pk=1).first()
    if row is None or row.last_failure_at is None or row.failures < free:
        return 0
    if (now - row.last_failure_at).total_seconds() >= reset:
        return 0
    delay = min(2 ** (row.failures - free), max_delay)
    remaining = delay - (now - row.last_failure_at).total_seconds()
    return max(0, int(remaining + 0.999))


@transaction.atomic
def _record_failure() -> None:
    now = timezone.now()
    _free, _max_delay, reset = _throttle_settings()
    row, _created = FollowupThrottle.objects.select_for_update().get_or_create(pk=1)
    if row.last_failure_at is not None and (now - row.last_failure_at).total_seconds() >= reset:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    row.save()


def followup_open(*, code: str) -> tuple[Case, bytes]:
    """Open a case with its receipt code; returns the case and its report key (kept only in memory).

    Raises FollowupDelayed while the global delay runs and ReceiptRejected for any wrong code;
    an unknown lookup part and a wrong secret part both cost one Argon2id verification.
    """
    remaining = followup_delay_remaining()
    if remaining:
        raise FollowupDelayed(remaining)
    dummy = crypto.dummy_receipt_hash()  # made before the lookup, so its one-off cost tells nothing
    receipt = crypto.parse_receipt(code)
    case = Case.objects.filter(lookup=receipt.lookup).first() if receipt else None
    secret = receipt.secret if receipt else code
    ok = crypto.verify_receipt_secret(case.secret_hash if case else dummy, secret)
    if not (case and ok):
        _record_failure()
        raise ReceiptRejected
    wrap = crypto.derive_key(receipt.code, case.reporter_salt, case.kdf_opslimit, case.kdf_memlimit)
    try:
        report_key = crypto.decrypt(wrap, case.reporter_key_box)
    except crypto.DecryptionError:
        _record_failure()
        raise ReceiptRejected
    # A correct code ends the delay others' mistakes caused: the next reporter does not wait for
    # them. (Someone holding their own receipt could reset it too, but every guess still costs an
    # Argon2id verification against an 80-bit secret.) No time is written.
    FollowupThrottle.objects.filter(pk=1, failures__gt=0).update(failures=0, last_failure_at=None)
    reseal_waiting_case(case=case, report_key=report_key)
    return case, report_key


def reporter_reply(*, case: Case, report_key: bytes, text: str, uploads: list[Upload]) -> CaseEntry | None:
    """The reporter adds information or files to their case."""
    if case.is_closed:
        raise ValidationError(_("This case is closed. You can no longer add information."))
    text = text.strip()
    files = check_uploads(uploads)
    if not text and not files:
        raise ValidationError(_("Write a message or attach a file."))
    written: list[str] = []
    try:
        with transaction.atomic():
            crypto.decrypt(report_key, case.content_box)  # the key must belong to this case
            when = to_the_hour(timezone.now())
            entry = None
            if text:
                entry = write_entry(
                    case=case, report_key=report_key, kind=CaseEntry.Kind.REPORTER, text=text, when=when
                )
            store_files(case=case, report_key=report_key, files=files, written=written)
            # A case whose handlers have not yet heard of it stays "new_case".
            Case.objects.filter(pk=case.pk).update(reporter_updated_at=when)
            Case.objects.filter(pk=case.pk, pending_notice="").update(pending_notice="reporter_update")
    except BaseException:
        remove_written(written)
        raise
    return entry
