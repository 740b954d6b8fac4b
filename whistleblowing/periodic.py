"""The hotline's periodic jobs: the hourly batch of content-free e-mails to handlers, the daily
deadline reminders and the retention purge.

Run by `manage.py hotline_notify`, `hotline_reminders` and `hotline_purge` (from the scheduler)
and by the tasks of the same names in `tasks.py`.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record

from .handler_mail import send_handler_mail
from .models import Case, CaseKey, CaseStub, HandlerNotice, IntakeNonce, ReminderLog
from .records import remove_written
from .selectors import case_deadlines, receiving_handlers


def send_pending_notifications() -> int:
    """E-mail handlers about new cases and new information, in a batch run by cron.

    Reporters' actions only mark the case; this run (hourly, say) sends the content-free
    e-mails, one per handler, so neither a task row nor an e-mail's Date header times a
    report to the second. Taking the marks turns them into one `HandlerNotice` per handler
    in the same transaction; each notice is deleted in the transaction that sends its e-mail,
    so a run that dies half-way leaves the rest for the next one (and the window for a
    duplicate is the one described in `infrastructure.mail.send_once`).
    """
    with transaction.atomic():
        pending = list(Case.objects.select_for_update().exclude(pending_notice="").values_list("pk", "pending_notice"))
        kinds: dict[int, set[str]] = {}
        for case_id, kind in pending:
            for handler_id in CaseKey.objects.filter(case_id=case_id).values_list("handler_id", flat=True):
                kinds.setdefault(handler_id, set()).add(kind)
        for handler_id, handler_kinds in kinds.items():
            kind = "new_case" if "new_case" in handler_kinds else "reporter_update"
            notice, created = HandlerNotice.objects.select_for_update().get_or_create(
                handler_id=handler_id, defaults={"kind": kind}
            )
            if not created and kind == "new_case" and notice.kind != kind:
                notice.kind = kind
                notice.save(update_fields=["kind"])
        Case.objects.filter(pk__in=[case_id for case_id, _kind in pending]).update(pending_notice="")
    receiving = set(receiving_handlers().values_list("pk", flat=True))
    sent = 0
    for notice_id in HandlerNotice.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            notice = (
                HandlerNotice.objects.select_for_update(skip_locked=True).select_related("handler").filter(pk=notice_id)
            ).first()
            if notice is None:
                continue  # another run is sending it, or has sent it
            if notice.handler_id in receiving:  # a handler revoked since gets nothing
                send_handler_mail(handler=notice.handler, kind=notice.kind)
                sent += 1
            notice.delete()
    return sent


def send_deadline_reminders(*, today: datetime.date | None = None) -> int:
    """One content-free e-mail a day to each handler who holds a case with a deadline due or overdue."""
    today = today or timezone.localdate()
    handler_ids: set[int] = set()
    for case in Case.objects.exclude(status=Case.Status.CLOSED).prefetch_related("keys"):
        if any(d.overdue or d.due_soon for d in case_deadlines(case, today=today)):
            handler_ids.update(k.handler_id for k in case.keys.all())
    sent = 0
    for handler in receiving_handlers().filter(pk__in=handler_ids):
        # The day's record commits together with the send (see infrastructure.mail.send_once): a crash
        # before the mail is out leaves no record, so a re-run sends it rather than losing it.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(handler=handler, sent_on=today)
            except IntegrityError:
                continue
            send_handler_mail(handler=handler, kind="reminder")
        sent += 1
    return sent


def retention_days() -> int:
    return int(getattr(settings, "HOTLINE_RETENTION_DAYS", 3 * 365))


def purge_expired_cases(*, now: datetime.datetime | None = None) -> int:
    """Destroy closed cases older than the retention period; leave month, category and outcome."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    purged = 0
    for case_id in Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff).values_list("pk", flat=True):
        names = _purge_one(case_id=case_id, now=now)
        remove_written(names)
        purged += 1
    IntakeNonce.objects.filter(expires_at__lt=now).delete()
    ReminderLog.objects.filter(sent_on__lt=(now - datetime.timedelta(days=30)).date()).delete()
    return purged


@transaction.atomic
def _purge_one(*, case_id: int, now: datetime.datetime) -> list[str]:
    case = Case.objects.select_for_update().get(pk=case_id)
    names = list(case.files.values_list("storage_name", flat=True))
    CaseStub.objects.create(
        received_month=timezone.localtime(case.received_at).date().replace(day=1),
        category=case.category,
        outcome=case.outcome,
        purged_at=now,
    )
    audit_record(actor=None, action="hotline.case_purged", target=case, detail={"files": len(names)})
    case.delete()
    return names
