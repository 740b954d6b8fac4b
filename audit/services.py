import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEntry, ChainHead


@transaction.atomic
def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    detail: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry. Callers must never pass anything that could identify a hotline reporter.

    `at` is the time of the event when the caller states it (a loader writing history through the
    services); it defaults to now. The entry is appended at the end of the chain all the same: the
    chain's order is `seq`, and nothing assumes that times rise with it.
    """
    if at is None:
        at = timezone.now()
    elif timezone.is_naive(at):
        raise ValueError("An audit entry's time must be timezone-aware.")
    # In UTC, as the database gives it back: the hash covers the time as written.
    at = at.astimezone(dt.UTC)
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=str(getattr(actor, "email", "") or "") if actor is not None else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def audit_verify_chain(*, batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the stored chain does not add up; nothing means intact."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            yield ChainBreak(entry.seq, f"missing entries before #{entry.seq} (expected #{expected_seq})")
        if entry.prev_hash != expected_prev:
            yield ChainBreak(entry.seq, "previous-hash link does not match")
        if entry.compute_hash() != entry.hash:
            yield ChainBreak(entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq = entry.seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head and head.last_seq != expected_seq - 1:
        yield ChainBreak(head.last_seq, "entries missing at the end of the chain")
