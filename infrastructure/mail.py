"""E-mail sent at most once per key, so a task run again after a crash does not send it twice."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SentMail


def send_once(*, key: str, send: Callable[[], object]) -> bool:
    """Call `send` unless a mail with this key was sent before; True when it sent.

    The record is written in the same transaction as the send and committed right after it,
    one recipient at a time. A concurrent run with the same key waits on the row and then
    skips; a crash or an error before the mail server accepts the message rolls the record
    back, so a later run sends it. The window left: a crash after the server accepted the
    message and before the COMMIT returns (milliseconds, not a whole task) sends that one
    mail twice on the re-run. SMTP gives no way to close it; the opposite order (commit,
    then send) would lose the mail instead. Call it outside any transaction, or the commit,
    and so the window, waits for the outer one.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentMail.objects.create(key=key[:200], sent_on=timezone.localdate())
        except IntegrityError:
            return False
        send()
    return True
