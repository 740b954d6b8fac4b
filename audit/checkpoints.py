"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain shows an edited entry only to someone who cannot rewrite the hashes after it.
Whoever can write to the database (and drop its triggers) can edit an entry, recompute every
later hash and the head, and the chain verifies again. A checkpoint pins the chain: the
sequence number and hash of its last entry, signed with an Ed25519 key that the database does
not hold (`AUDIT_CHECKPOINT_SIGNING_KEY_FILE`), written as a new file that is never rewritten
into `AUDIT_CHECKPOINT_DIR`. A rewritten chain no longer has the hashes the checkpoints hold.
The signature is checked with a pinned public key (`AUDIT_CHECKPOINT_VERIFY_KEY`), so a
checkpoint forged with another key is refused too.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from nacl.encoding import HexEncoder
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from .models import AuditEntry
from .services import ChainBreak

DEFAULT_KEY_FILE = "audit-checkpoint-signing.key"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    path: Path


class CheckpointRefused(Exception):
    """The chain no longer matches an earlier checkpoint: signing its head would bless a forgery."""


def checkpoint_dir() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _key_file() -> Path:
    configured = getattr(settings, "AUDIT_CHECKPOINT_SIGNING_KEY_FILE", "")
    if configured:
        return Path(configured)
    # Not configured (a laptop, the demo): a key of its own, made once beside the checkpoint folder
    # and never in the database. Production names a file only the portal's processes can read.
    return checkpoint_dir().parent / DEFAULT_KEY_FILE


def signing_key() -> SigningKey:
    path = _key_file()
    configured = getattr(settings, "AUDIT_CHECKPOINT_SIGNING_KEY_FILE", "")
    if not configured and not getattr(settings, "AUDIT_CHECKPOINT_GENERATE_KEY", True):
        # Production: a key made on the fly would sit on one host, unknown to whoever verifies.
        raise ImproperlyConfigured("AUDIT_CHECKPOINT_SIGNING_KEY_FILE must name the checkpoint signing key.")
    if not path.exists() and not configured:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(SigningKey.generate().encode(encoder=HexEncoder))
    return SigningKey(path.read_bytes().strip(), encoder=HexEncoder)


def verify_key() -> VerifyKey:
    pinned = getattr(settings, "AUDIT_CHECKPOINT_VERIFY_KEY", "")
    if pinned:
        return VerifyKey(pinned.encode(), encoder=HexEncoder)
    return signing_key().verify_key


def _payload(*, seq: int, hash_: str, at: str) -> bytes:
    return json.dumps({"seq": seq, "hash": hash_, "at": at}, sort_keys=True, separators=(",", ":")).encode()


def read_checkpoints() -> tuple[list[Checkpoint], list[ChainBreak]]:
    """All checkpoints whose signature holds, oldest first, and a break for each one that does not."""
    directory = checkpoint_dir()
    if not directory.is_dir():
        return [], []
    key = verify_key()
    good, bad = [], []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text())
            payload = _payload(seq=int(document["seq"]), hash_=str(document["hash"]), at=str(document["at"]))
            key.verify(payload, bytes.fromhex(document["signature"]))
        except (ValueError, KeyError, TypeError, BadSignatureError):
            bad.append(ChainBreak(0, f"checkpoint {path.name} is not validly signed"))
            continue
        good.append(Checkpoint(seq=int(document["seq"]), hash=document["hash"], at=document["at"], path=path))
    good.sort(key=lambda c: c.seq)
    return good, bad


def verify_against_checkpoints(checkpoints: list[Checkpoint]) -> Iterator[ChainBreak]:
    """Each checkpoint's entry must still be in the chain with the hash it had when signed."""
    if not checkpoints:
        return
    hashes = dict(AuditEntry.objects.filter(seq__in=[c.seq for c in checkpoints]).values_list("seq", "hash").iterator())
    for checkpoint in checkpoints:
        stored = hashes.get(checkpoint.seq)
        if stored is None:
            yield ChainBreak(checkpoint.seq, f"entry signed in checkpoint {checkpoint.path.name} is missing")
        elif stored != checkpoint.hash:
            yield ChainBreak(checkpoint.seq, f"entry differs from checkpoint {checkpoint.path.name}: chain rewritten")


def _chain_since(checkpoint: Checkpoint | None) -> Iterator[ChainBreak]:
    """Check only what was appended since the last checkpoint (the rest it already vouches for)."""
    start = checkpoint.seq if checkpoint else 0
    expected_prev, expected_seq = None, start
    for entry in AuditEntry.objects.filter(seq__gte=start).order_by("seq").iterator(chunk_size=5000):
        if checkpoint and entry.seq == checkpoint.seq:
            if entry.hash != checkpoint.hash:
                yield ChainBreak(entry.seq, "entry differs from the last checkpoint: chain rewritten")
        elif entry.seq != expected_seq + 1 or (expected_prev is not None and entry.prev_hash != expected_prev):
            yield ChainBreak(entry.seq, "chain does not continue from the last checkpoint")
        elif entry.compute_hash() != entry.hash:
            yield ChainBreak(entry.seq, "content does not match its hash")
        expected_prev, expected_seq = entry.hash, entry.seq
    if checkpoint and expected_seq < checkpoint.seq:
        yield ChainBreak(checkpoint.seq, "entries signed in the last checkpoint are missing")


def write_checkpoint() -> Checkpoint | None:
    """Sign the current head into a new file; None when nothing was appended since the last one.

    Refuses (CheckpointRefused) when the chain no longer matches the last checkpoint, so a rewrite
    is never signed over.
    """
    checkpoints, _bad = read_checkpoints()
    last = checkpoints[-1] if checkpoints else None
    breaks = list(_chain_since(last))
    if breaks:
        raise CheckpointRefused("; ".join(f"#{b.seq}: {b.reason}" for b in breaks))
    head = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    if head is None or (last and last.seq == head.seq):
        return None
    at = timezone.now().replace(microsecond=0).isoformat()
    signature = signing_key().sign(_payload(seq=head.seq, hash_=head.hash, at=at)).signature
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{head.seq:012d}-{head.hash[:16]}.json"
    document = {"seq": head.seq, "hash": head.hash, "at": at, "signature": signature.hex()}
    # "x": a checkpoint file is created once and never overwritten.
    with path.open("x") as f:
        json.dump(document, f, sort_keys=True)
        f.write("\n")
    return Checkpoint(seq=head.seq, hash=head.hash, at=at, path=path)
