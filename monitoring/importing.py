"""Access-log import: one file of one source, read once, every good row stored once.

The same code path serves the portal upload (in the task worker, `tasks.import_access_log`) and
the command for scheduled drops (`manage.py import_access_log`):

* the file's SHA-256 decides whether it was imported already: the same file again adds nothing;
* the file must decode in the source's encoding and carry the mapped columns, or it is refused
  whole (status "failed", the reason in `errors`, no row stored);
* otherwise each row is parsed on its own: a bad row is listed in `errors` by line and the good
  rows are kept. Unlike the HR snapshot (all or nothing), a log cannot be corrected upstream: the
  grid system wrote what it wrote, and auditors need the readable views even when a few lines are
  damaged;
* a row already stored (same normalised content, from an earlier overlapping file) is counted as a
  duplicate and not added again;
* the customer's record number is kept only as a keyed hash (`record_key`), and the row hash is
  built from that keyed hash too, so neither can be reversed into a record number by trying them.
* a refusal or a bad row is stored as a code and its values (`import_errors`), not as a sentence:
  the worker's language is not the reader's.

Rows are streamed in chunks: memory does not grow with the file, and on PostgreSQL each chunk is
written with COPY.
"""

import codecs
import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from audit.services import audit_record

from .auditors import require_auditor
from .import_errors import import_error
from .models import AccessEvent, LogImport, LogSource, SystemAccount
from .rules import rules_run

CHUNK_ROWS = 5000
READ_BYTES = 1 << 20
# A file of bad lines should not become a megabyte of JSON: the first ones tell the story.
MAX_ERRORS_KEPT = 1000
REQUIRED_COLUMNS = ("account", "at")
MAPPED_COLUMNS = ("account", "at", "terminal", "record_type", "record", "new_entrant")
RECORD_KEY_LABEL = b"monitoring.record_key"


def record_key_secret() -> bytes:
    """`MONITORING_RECORD_KEY`, or a key derived from SECRET_KEY under a fixed label."""
    configured = getattr(settings, "MONITORING_RECORD_KEY", "")
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    return hmac.new(settings.SECRET_KEY.encode(), RECORD_KEY_LABEL, hashlib.sha256).digest()


def record_key(record: str, *, secret: bytes | None = None) -> str:
    """The keyed hash that stands for a customer record number ("" when there is none)."""
    record = record.strip()
    if not record:
        return ""
    return hmac.new(secret or record_key_secret(), record.encode(), hashlib.sha256).hexdigest()


class _Parsed(NamedTuple):
    line: int
    account_id: str
    occurred_at: dt.datetime
    terminal: str
    record_type: str
    record_key: str
    concerns_new_entrant: bool
    row_hash: str


class _Refused(Exception):
    def __init__(self, line: int, code: str, /, **params):
        self.error = import_error(line, code, **params)


def _as_stream(content: bytes | BinaryIO) -> BinaryIO:
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(content))
    content.seek(0)
    return content


# Characters no system writes in a text log: control characters (but tab, CR and LF) and private-use
# code points. Python's cp932 decodes almost any bytes, so a file in another encoding, or damaged,
# shows up as these rather than as a decoding error (the HR import checks the same way).
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def _scan(stream: BinaryIO, encoding: str, *, check: bool = True) -> tuple[str, tuple[int, str] | None]:
    """One pass over the bytes: their SHA-256, and (with `check`) the first line that is not text, if any."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    problem = None
    while chunk := stream.read(READ_BYTES):
        digest.update(chunk)
        if check and problem is None:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = newlines + chunk[: max(error.start, 0)].count(b"\n") + 1
                problem = (line, error.reason)
            else:
                odd = NOT_TEXT.search(text)
                if odd:
                    problem = (newlines + text.count("\n", 0, odd.start()) + 1, f"U+{ord(odd.group()):04X}")
                newlines += text.count("\n")
    if check and problem is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            problem = (newlines + 1, error.reason)
    stream.seek(0)
    return digest.hexdigest(), problem


def _time_parser(source: LogSource):
    """A function from the file's time text to an aware datetime (ValueError when it does not parse)."""
    try:
        zone = ZoneInfo(source.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Refused(0, "unknown_zone", zone=source.time_zone) from None
    fmt = source.time_format
    if fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        separator = fmt[2]
        # The common layouts parse with fromisoformat, some thirty times faster than strptime;
        # the shape check keeps it as strict as strptime would be.

        def parse(text: str) -> dt.datetime:
            if len(text) != 19 or text[4] != separator or text[7] != separator or text[10] != " ":
                raise ValueError(text)
            if separator != "-":
                text = text.replace(separator, "-")
            return dt.datetime.fromisoformat(text).replace(tzinfo=zone)

        return parse

    def parse_any(text: str) -> dt.datetime:
        return dt.datetime.strptime(text, fmt).replace(tzinfo=zone)  # noqa: DTZ007 (zone added here)

    return parse_any


def _rows(source: LogSource, stream: BinaryIO, errors: list[dict], counts: dict) -> Iterator[_Parsed]:
    """The file's good rows; bad ones go to `errors` by line. Raises _Refused for a whole-file problem."""
    text = io.TextIOWrapper(stream, encoding=source.encoding, newline="")
    reader = csv.reader(text, delimiter=source.delimiter or ",")
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise _Refused(1, "empty_file") from None
    mapping = {key: str(name).strip() for key, name in (source.columns or {}).items() if key in MAPPED_COLUMNS}
    missing = [key for key in REQUIRED_COLUMNS if not mapping.get(key)]
    if missing:
        raise _Refused(0, "unmapped_columns", keys=", ".join(missing))
    absent = [name for name in mapping.values() if name and name not in header]
    if absent:
        raise _Refused(
            1,
            "missing_columns",
            columns=", ".join(f"“{name}”" for name in absent),
            header=", ".join(header),
        )
    index = {key: header.index(name) for key, name in mapping.items() if name}
    i_account, i_at = index["account"], index["at"]
    i_terminal, i_type = index.get("terminal"), index.get("record_type")
    i_record, i_new = index.get("record"), index.get("new_entrant")
    needed = max(index.values()) + 1
    new_entrant_values = {str(v).strip() for v in (source.new_entrant_values or [])}
    parse_time = _time_parser(source)
    secret = record_key_secret()
    keyed = hmac.new(secret, digestmod=hashlib.sha256)
    sha256 = hashlib.sha256
    utc = dt.UTC

    def bad(line: int, code: str, /, **params) -> None:
        counts["bad"] += 1
        if len(errors) < MAX_ERRORS_KEPT:
            errors.append(import_error(line, code, **params))

    for record in reader:
        line = reader.line_num
        if not record or not any(cell.strip() for cell in record):
            continue
        counts["total"] += 1
        if len(record) < needed:
            bad(line, "short_row", got=len(record), want=needed)
            continue
        account = record[i_account].strip()
        if not account:
            bad(line, "no_account")
            continue
        if len(account) > 64:
            bad(line, "long_account")
            continue
        when_text = record[i_at].strip()
        try:
            when = parse_time(when_text)
        except ValueError:
            bad(line, "bad_time", value=when_text[:40], format=source.time_format)
            continue
        terminal = record[i_terminal].strip()[:64] if i_terminal is not None else ""
        record_type = record[i_type].strip()[:64] if i_type is not None else ""
        number = record[i_record].strip() if i_record is not None else ""
        if number:
            h = keyed.copy()
            h.update(number.encode())
            key = h.hexdigest()
        else:
            key = ""
        new_entrant = i_new is not None and record[i_new].strip() in new_entrant_values
        stamp = when.astimezone(utc).isoformat()
        row_hash = sha256(
            "\x1f".join((account, stamp, terminal, record_type, key, "1" if new_entrant else "0")).encode()
        ).hexdigest()
        yield _Parsed(line, account, when, terminal, record_type, key, new_entrant, row_hash)


def _chunks(rows: Iterator[_Parsed]) -> Iterator[list[_Parsed]]:
    chunk: list[_Parsed] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_COPY_COLUMNS = (
    "source_id",
    "log_import_id",
    "line",
    "account_id",
    "person_id",
    "occurred_at",
    "terminal",
    "record_type",
    "record_key",
    "concerns_new_entrant",
    "row_hash",
)


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value or "\x00" in value:
        value = (
            value.replace("\x00", "")
            .replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


class _Writer:
    """Writes chunks of rows. On PostgreSQL one COPY stays open across chunks, so the server stores
    rows while this process parses the next ones; it is closed before any other query."""

    def __init__(self, source: LogSource, log_import: LogImport, people: dict[str, int | None]):
        self.source = source
        self.log_import = log_import
        self.people = people
        self.holder = {account: ("\\N" if pk is None else str(pk)) for account, pk in people.items()}
        self.postgres = connection.vendor == "postgresql"
        self.cursor = self.copy_context = self.copy = None

    def write(self, rows: list[_Parsed]) -> None:
        if not self.postgres:
            self._bulk_create(rows)
            return
        if self.copy is None:
            table = connection.ops.quote_name(AccessEvent._meta.db_table)
            self.cursor = connection.cursor()
            self.copy_context = self.cursor.copy(f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN")
            self.copy = self.copy_context.__enter__()
        head = f"{self.source.pk}\t{self.log_import.pk}\t"
        holder, null = self.holder, "\\N"
        # COPY's text format, built here: several times faster than INSERT, or than handing
        # psycopg the rows one by one.
        self.copy.write(
            "".join(
                f"{head}{r.line}\t{_copy_text(r.account_id)}\t{holder.get(r.account_id, null)}\t"
                f"{r.occurred_at.isoformat()}\t{_copy_text(r.terminal)}\t{_copy_text(r.record_type)}\t"
                f"{r.record_key}\t{'t' if r.concerns_new_entrant else 'f'}\t{r.row_hash}\n"
                for r in rows
            )
        )

    def pause(self, error: BaseException | None = None) -> None:
        """Finish the open COPY (before another query, and at the end)."""
        if self.copy is None:
            return
        context, cursor = self.copy_context, self.cursor
        self.cursor = self.copy_context = self.copy = None
        try:
            context.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
        finally:
            cursor.close()

    def _bulk_create(self, rows: list[_Parsed]) -> None:
        source, log_import, people = self.source, self.log_import, self.people
        AccessEvent.objects.bulk_create(
            [
                AccessEvent(
                    source=source,
                    log_import=log_import,
                    line=r.line,
                    account_id=r.account_id,
                    person_id=people.get(r.account_id),
                    occurred_at=r.occurred_at,
                    terminal=r.terminal,
                    record_type=r.record_type,
                    record_key=r.record_key,
                    concerns_new_entrant=r.concerns_new_entrant,
                    row_hash=r.row_hash,
                )
                for r in rows
            ],
            batch_size=1000,
        )


def log_import_receive(
    *,
    source: LogSource,
    filename: str,
    content: bytes | BinaryIO,
    by=None,
    via: str = LogImport.Via.UPLOAD,
    keep_content: bool = False,
) -> tuple[LogImport, bool]:
    """Register a file; returns (import, is_new). A file already imported for this source is not new.

    A file that was refused before (status failed) is taken again: its source's mapping may have
    been corrected since. `keep_content` stores the bytes for the task worker (uploads).
    """
    if by is not None:
        require_auditor(by)
    stream = _as_stream(content)
    sha, _problem = _scan(stream, source.encoding, check=False)  # the text is checked when processed
    existing = LogImport.objects.filter(source=source, sha256=sha).first()
    if existing is not None and existing.status != LogImport.Status.FAILED:
        return existing, False
    data = stream.read() if keep_content else b""
    stream.seek(0)
    fields = {
        "filename": filename[:255],
        "via": via,
        "uploaded_by": by,
        "status": LogImport.Status.PENDING,
        "content": data,
        "errors": [],
        "rows_total": 0,
        "rows_added": 0,
        "rows_duplicate": 0,
        "findings_created": 0,
        "finished_at": None,
        "created_at": timezone.now(),
    }
    if existing is not None:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        return existing, True
    return LogImport.objects.create(source=source, sha256=sha, **fields), True


def log_import_process(*, log_import: LogImport, content: bytes | BinaryIO | None = None) -> LogImport:
    """Read the file of a pending import, store its rows, run the rules; idempotent per import.

    `content` is the file when the caller has it; otherwise the bytes kept at upload are read.
    """
    claimed = LogImport.objects.filter(pk=log_import.pk, status=LogImport.Status.PENDING).update(
        status=LogImport.Status.RUNNING
    )
    log_import.refresh_from_db()
    if not claimed:
        return log_import
    source = log_import.source
    stream = _as_stream(content if content is not None else bytes(log_import.content))
    try:
        with transaction.atomic():
            _process(log_import, source, stream)
    except _Refused as refusal:
        # Raised out of the atomic block: any row written before the refusal is rolled back.
        _refuse(log_import, refusal.error)
    except Exception:
        LogImport.objects.filter(pk=log_import.pk).update(
            status=LogImport.Status.FAILED,
            errors=[import_error(0, "internal")],
            finished_at=timezone.now(),
        )
        raise
    log_import.refresh_from_db()
    return log_import


def _refuse(log_import: LogImport, error: dict) -> None:
    log_import.status = LogImport.Status.FAILED
    log_import.errors = [error]
    log_import.finished_at = timezone.now()
    log_import.content = b""
    log_import.save(update_fields=["status", "errors", "finished_at", "content"])
    audit_record(
        actor=log_import.uploaded_by,
        action="monitoring.log_refused",
        target=log_import,
        detail={
            "source": log_import.source.code,
            "filename": log_import.filename,
            "reason": error["code"],
            "params": error["params"],
        },
    )


def _process(log_import: LogImport, source: LogSource, stream: BinaryIO) -> None:
    _sha, problem = _scan(stream, source.encoding)
    if problem is not None:
        line, reason = problem
        raise _Refused(line, "not_text", line=line, encoding=source.get_encoding_display(), reason=reason)
    errors: list[dict] = []
    counts = {"total": 0, "bad": 0}
    added = duplicate = 0
    # The register of this system, read once (it grows with the ids, not with the rows).
    people: dict[str, int | None] = dict(
        SystemAccount.objects.filter(system=source.system).values_list("account_id", "person_id")
    )
    # The times already covered, by earlier imports of this source and by this file's earlier
    # chunks: a chunk outside them cannot repeat a stored row, and is written without looking.
    covered = [AccessEvent.objects.filter(source=source).aggregate(low=Min("occurred_at"), high=Max("occurred_at"))]
    writer = _Writer(source, log_import, people)
    try:
        for chunk in _chunks(_rows(source, stream, errors, counts)):
            low = min(r.occurred_at for r in chunk)
            high = max(r.occurred_at for r in chunk)
            known: set[str] = set()
            if any(c["low"] is not None and low <= c["high"] and c["low"] <= high for c in covered):
                # Rows stored before (an overlapping file), or in this file's earlier chunks.
                writer.pause()
                known = set(
                    AccessEvent.objects.filter(source=source, row_hash__in={r.row_hash for r in chunk}).values_list(
                        "row_hash", flat=True
                    )
                )
            covered.append({"low": low, "high": high})
            if len(covered) > 64:  # keep the list short: this file's spans merged into one
                covered[1:] = [{"low": min(c["low"] for c in covered[1:]), "high": max(c["high"] for c in covered[1:])}]
            fresh: dict[str, _Parsed] = {}
            for r in chunk:
                if r.row_hash in known or r.row_hash in fresh:
                    duplicate += 1
                else:
                    fresh[r.row_hash] = r
            if fresh:
                writer.write(list(fresh.values()))
                added += len(fresh)
    except BaseException as error:
        writer.pause(error)
        raise
    writer.pause()
    findings = rules_run(events=AccessEvent.objects.filter(log_import=log_import)) if added else 0
    log_import.status = LogImport.Status.DONE
    log_import.rows_total = counts["total"]
    log_import.rows_added = added
    log_import.rows_duplicate = duplicate
    log_import.errors = errors
    log_import.findings_created = findings
    log_import.finished_at = timezone.now()
    log_import.content = b""
    log_import.save()
    audit_record(
        actor=log_import.uploaded_by,
        action="monitoring.log_imported",
        target=log_import,
        detail={
            "source": source.code,
            "filename": log_import.filename,
            "via": log_import.via,
            "rows": counts["total"],
            "added": added,
            "duplicate": duplicate,
            "bad_lines": counts["bad"],
            "findings_created": findings,
        },
    )


def log_import_run(
    *, source: LogSource, filename: str, content: bytes | BinaryIO, by=None, via: str = LogImport.Via.UPLOAD
) -> LogImport:
    """Import one file now (the command, tests, small uploads): the same file again returns its first import."""
    log_import, is_new = log_import_receive(source=source, filename=filename, content=content, by=by, via=via)
    if not is_new:
        return log_import
    return log_import_process(log_import=log_import, content=content)
