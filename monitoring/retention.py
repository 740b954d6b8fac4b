"""How long raw access-log rows are kept: `MONITORING_EVENT_RETENTION_DAYS` (findings are kept regardless)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from people.models import Person

from .auditors import require_auditor
from .models import AccessEvent

DEFAULT_EVENT_RETENTION_DAYS = 365
PURGE_BATCH = 10_000


def event_retention_days() -> int:
    """`MONITORING_EVENT_RETENTION_DAYS`: how long raw log rows are kept (findings are kept regardless)."""
    return int(getattr(settings, "MONITORING_EVENT_RETENTION_DAYS", DEFAULT_EVENT_RETENTION_DAYS))


def events_purge(*, days: int | None = None, by: Person | None = None) -> int:
    """Delete raw log rows older than the retention period; returns how many went.

    Findings keep their counts, times and notes; only the rows behind them go. Run daily by the
    command `purge_access_events` (by None) or by an auditor. Deletes in batches, each its own
    transaction, so a long purge neither holds locks nor grows one transaction without bound.
    """
    if by is not None:
        require_auditor(by)
    days = event_retention_days() if days is None else days
    if days < 1:
        raise ValidationError(_("The retention period must be at least one day."))
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(AccessEvent.objects.filter(occurred_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                break
            deleted += AccessEvent.objects.filter(pk__in=ids).delete()[0]
    with transaction.atomic():
        audit_record(
            actor=by,
            action="monitoring.events_purged",
            target_type="monitoring.accessevent",
            detail={"before": cutoff.isoformat(), "days": days, "deleted": deleted},
        )
    return deleted
