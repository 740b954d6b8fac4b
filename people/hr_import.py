"""HR import: the organisation's people, from the HR system's CSV export.

The file is a full snapshot: every current person appears once. Importing it
  * creates people who are new, updates those whose data changed,
  * records a `Transfer` when someone's unit changed,
  * deactivates (never deletes) HR-managed people missing from the file,
and does nothing at all when the file matches the database (re-import writes nothing).

Everything is validated before anything is written; one bad row rejects the whole file with
errors that name the line and column. Progress is reported through a callback so the
terminal command can draw a bar and the admin upload can show how far it got.
"""

import codecs
import csv
import io
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .locks import people_bulk_writes
from .models import Company, EmploymentType, JobRole, Person, Transfer, Unit
from .signals import people_synchronised, person_transferred

# Canonical column → accepted header spellings (the HR system exports Japanese headers).
COLUMNS = {
    "employee_number": ("employee_number", "社員番号"),
    "email": ("email", "メールアドレス"),
    "family_name": ("family_name", "姓"),
    "given_name": ("given_name", "名"),
    "company": ("company", "会社コード"),
    "unit": ("unit", "所属コード"),
    "employment_type": ("employment_type", "雇用区分"),
    "job_roles": ("job_roles", "職務"),
    "manager": ("manager", "上長社員番号"),
    "effective_on": ("effective_on", "発令日"),
}
REQUIRED = ("employee_number", "email", "family_name", "company", "unit", "employment_type")
ROLE_SEPARATORS = (";", "；", "|")
# A snapshot that would deactivate more than this share of active people is probably partial.
MASS_DEACTIVATION_SHARE = 0.2

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("line %(line)s, column “%(column)s”: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class HRImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors[:20]))


@dataclass
class HRRow:
    line: int
    employee_number: str
    email: str
    family_name: str
    given_name: str
    company_id: int
    unit_id: int
    employment_type_id: int
    role_ids: frozenset[int]
    manager_number: str
    effective_on: date | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    transferred: int = 0
    deactivated: int = 0
    reactivated: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)
    transferred_ids: list[int] = field(default_factory=list)
    deactivated_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.transferred or self.deactivated or self.reactivated)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Windows writes it (cp932).

    Python's cp932 decodes almost any bytes, so a UTF-8 file with one damaged byte would be read
    as cp932 and import every Japanese name garbled. A file that was clearly UTF-8 up to the
    damage is refused instead, naming the line.
    """
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        before = body[: error.start]
        if sum(1 for ch in before.decode("utf-8") if ord(ch) >= 0x3000) >= 2:
            raise HRImportError(
                [
                    RowError(
                        before.count(b"\n") + 1,
                        "",
                        _("The file is UTF-8 but this line has bytes that are not UTF-8. Save it again as UTF-8."),
                    )
                ]
            ) from None
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = None
    # Bytes that Windows never writes in Shift_JIS text come out as control or private-use characters.
    if text is None or any(not (ch.isprintable() or ch in "\t\r\n") for ch in text):
        raise HRImportError([RowError(1, "", _("The file is neither UTF-8 nor Shift_JIS (cp932) text."))])
    return text


def _header_map(header: list[str]) -> dict[str, int]:
    aliases = {alias: key for key, names in COLUMNS.items() for alias in names}
    mapping: dict[str, int] = {}
    errors = []
    for index, name in enumerate(header):
        key = aliases.get(name.strip())
        if key is None:
            errors.append(RowError(1, name, _("Unknown column.")))
        elif key in mapping:
            errors.append(RowError(1, name, _("The column appears twice.")))
        else:
            mapping[key] = index
    for key in REQUIRED:
        if key not in mapping:
            errors.append(RowError(1, COLUMNS[key][1], _("Required column is missing.")))
    if errors:
        raise HRImportError(errors)
    return mapping


def parse(text: str, *, progress: ProgressCallback | None = None) -> list[HRRow]:
    """Validate every row against the reference data; raise HRImportError with all problems found."""
    lines = text.splitlines()
    total = max(len(lines) - 1, 0)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise HRImportError([RowError(1, "", _("The file is empty."))])
    columns = _header_map(header)
    label = {key: header[index].strip() for key, index in columns.items()}

    refs = _References.load()
    rows: list[HRRow] = []
    errors: list[RowError] = []
    width = len(header)
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            message = _("Expected %(want)s columns, found %(got)s.") % {"want": width, "got": len(record)}
            errors.append(RowError(line, "", message))
            continue
        cells = {key: record[index].strip() for key, index in columns.items()}
        row, row_errors = _parse_row(cells, line, label, refs)
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(row)
        if progress and line % 2000 == 0:
            progress("validate", min(line - 1, total), total)

    errors.extend(_cross_row_errors(rows, label))
    if progress:
        progress("validate", total, total)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise HRImportError(errors)
    return rows


@dataclass
class _References:
    """Code → id lookups for the reference data a row may name."""

    companies: dict[str, int]
    units: dict[str, int]
    etypes: dict[str, int]
    roles: dict[str, int]
    foreign_emails: dict[str, str | None]

    @classmethod
    def load(cls) -> "_References":
        return cls(
            companies=dict(Company.objects.values_list("code", "pk")),
            units=dict(Unit.objects.values_list("code", "pk")),
            etypes=dict(EmploymentType.objects.values_list("code", "pk")),
            roles=dict(JobRole.objects.values_list("code", "pk")),
            # Addresses held by accounts the HR system does not own (administrators, say).
            foreign_emails={
                email.lower(): number
                for email, number in Person.objects.filter(hr_managed=False).values_list("email", "employee_number")
            },
        )


def _parse_row(
    cells: dict[str, str], line: int, label: dict[str, str], refs: _References
) -> tuple[HRRow | None, list[RowError]]:
    def error(key: str, message: str) -> None:
        errors.append(RowError(line, label.get(key, key), message))

    errors: list[RowError] = []
    get = cells.get
    for key in REQUIRED:
        if not get(key):
            error(key, _("A value is required."))
    email = get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("“%(value)s” is not an e-mail address.") % {"value": email})
    number = get("employee_number", "")
    if number and (len(number) > 32 or not number.isalnum()):
        error("employee_number", _("Use up to 32 letters and digits."))
    if email in refs.foreign_emails and refs.foreign_emails[email] != number:
        error("email", _("This address belongs to an account not managed by HR."))
    lookups = (
        ("company", refs.companies, _("Unknown company code “%(code)s”.")),
        ("unit", refs.units, _("Unknown unit code “%(code)s”.")),
        ("employment_type", refs.etypes, _("Unknown employment type “%(code)s”.")),
    )
    ids = {}
    for key, table, message in lookups:
        ids[key] = table.get(get(key, ""))
        if get(key) and ids[key] is None:
            error(key, message % {"code": get(key)})
    role_codes = [c.strip() for c in _split_roles(get("job_roles", "")) if c.strip()]
    unknown_roles = [c for c in role_codes if c not in refs.roles]
    if unknown_roles:
        error("job_roles", _("Unknown job role “%(code)s”.") % {"code": unknown_roles[0]})
    effective_on = None
    if get("effective_on"):
        try:
            effective_on = date.fromisoformat(get("effective_on").replace("/", "-"))
        except ValueError:
            error("effective_on", _("Write the date as YYYY-MM-DD."))
    if errors:
        return None, errors
    row = HRRow(
        line=line,
        employee_number=number,
        email=email,
        family_name=get("family_name", ""),
        given_name=get("given_name", ""),
        company_id=ids["company"],
        unit_id=ids["unit"],
        employment_type_id=ids["employment_type"],
        role_ids=frozenset(refs.roles[c] for c in role_codes),
        manager_number=get("manager", ""),
        effective_on=effective_on,
    )
    return row, []


def _split_roles(value: str) -> Iterable[str]:
    for separator in ROLE_SEPARATORS[1:]:
        value = value.replace(separator, ROLE_SEPARATORS[0])
    return value.split(ROLE_SEPARATORS[0]) if value else []


def _cross_row_errors(rows: list[HRRow], label: dict[str, str]) -> list[RowError]:
    errors = []
    numbers = Counter(r.employee_number for r in rows)
    emails = Counter(r.email for r in rows)
    known = set(numbers)
    for row in rows:
        if numbers[row.employee_number] > 1:
            errors.append(
                RowError(row.line, label["employee_number"], _("This employee number appears more than once."))
            )
        if emails[row.email] > 1:
            errors.append(RowError(row.line, label["email"], _("This e-mail address appears more than once.")))
        if row.manager_number and row.manager_number not in known:
            errors.append(RowError(row.line, label.get("manager", "manager"), _("The manager is not in the file.")))
        if row.manager_number and row.manager_number == row.employee_number:
            errors.append(
                RowError(row.line, label.get("manager", "manager"), _("A person cannot be their own manager."))
            )
    return errors


def hr_import_run(
    *,
    raw: bytes,
    effective_on: date | None = None,
    allow_mass_deactivation: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Validate and apply one HR snapshot; all or nothing."""
    rows = parse(decode(raw), progress=progress)
    today = effective_on or timezone.localdate()
    if progress:
        progress("apply", 0, len(rows))
    result = _apply(rows, today=today, allow_mass_deactivation=allow_mass_deactivation)
    if progress:
        progress("apply", len(rows), len(rows))
    return result


FIELDS = ("email", "family_name", "given_name", "company_id", "unit_id", "employment_type_id")


@transaction.atomic
def _apply(rows: list[HRRow], *, today: date, allow_mass_deactivation: bool) -> ImportResult:
    people_bulk_writes()  # before reading: what is read is what the sync left
    result = ImportResult()
    existing = {
        p["employee_number"]: p
        for p in Person.objects.filter(employee_number__isnull=False).values(
            "pk", "employee_number", "manager_id", "is_active", "hr_managed", *FIELDS
        )
    }
    role_links: dict[int, set[int]] = {}
    for person_id, role_id in Person.job_roles.through.objects.values_list("person_id", "jobrole_id"):
        role_links.setdefault(person_id, set()).add(role_id)

    in_file = {r.employee_number for r in rows}
    leavers = [p for n, p in existing.items() if n not in in_file and p["hr_managed"] and p["is_active"]]
    active_hr = sum(1 for p in existing.values() if p["hr_managed"] and p["is_active"])
    if leavers and not allow_mass_deactivation and active_hr and len(leavers) > active_hr * MASS_DEACTIVATION_SHARE:
        raise HRImportError(
            [
                RowError(
                    0,
                    "",
                    _(
                        "This file would deactivate %(count)s of %(total)s active people. If that is right, "
                        "confirm the mass deactivation; otherwise check that the file is complete."
                    )
                    % {"count": len(leavers), "total": active_hr},
                )
            ]
        )

    now = timezone.now()
    new_people: list[Person] = []
    changed: list[Person] = []
    changed_fields: set[str] = set()
    transfers: list[Transfer] = []
    for row in rows:
        current = existing.get(row.employee_number)
        values = {f: getattr(row, f) for f in FIELDS}
        if current is None:
            # Unusable password in Django's own format ("!" + random), without make_password's
            # per-character random.choice, which dominates at 50,000 people.
            password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
            person = Person(
                employee_number=row.employee_number, hr_managed=True, date_joined=now, password=password, **values
            )
            new_people.append(person)
            continue
        diff = {f for f in FIELDS if current[f] != values[f]}
        if not current["is_active"] or not current["hr_managed"]:
            diff |= {"is_active", "hr_managed", "left_at"}
            result.reactivated += not current["is_active"]
        if diff:
            person = Person(
                pk=current["pk"],
                employee_number=row.employee_number,
                is_active=True,
                hr_managed=True,
                left_at=None,
                **values,
            )
            changed.append(person)
            changed_fields |= diff
            if "unit_id" in diff and current["unit_id"]:
                transfers.append(
                    Transfer(
                        person_id=current["pk"],
                        from_unit_id=current["unit_id"],
                        to_unit_id=row.unit_id,
                        effective_on=row.effective_on or today,
                        recorded_at=now,
                    )
                )
        else:
            result.unchanged += 1

    if new_people:
        Person.objects.bulk_create(new_people, batch_size=2000)
        # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35.
        for person in new_people:
            existing[person.employee_number] = {"pk": person.pk, "manager_id": None}
        result.created = len(new_people)
        result.created_ids = [p.pk for p in new_people]
    if changed:
        Person.objects.bulk_update(changed, sorted(changed_fields), batch_size=2000)
        result.updated = len(changed)
    if transfers:
        Transfer.objects.bulk_create(transfers, batch_size=2000)
        result.transferred = len(transfers)
        result.transferred_ids = [t.person_id for t in transfers]

    _sync_managers(rows, existing)
    _sync_roles(rows, existing, role_links)

    if leavers:
        ids = [p["pk"] for p in leavers]
        Person.objects.filter(pk__in=ids).update(is_active=False, left_at=now)
        result.deactivated = len(ids)
        result.deactivated_ids = ids

    if result.changed:
        # bulk_create has set the transfers' primary keys (PostgreSQL, SQLite ≥ 3.35).
        transaction.on_commit(lambda: _announce(result, transfers))
    return result


def _sync_managers(rows: list[HRRow], existing: dict) -> None:
    # One UPDATE per manager rather than a bulk_update CASE over every person: a company has
    # far fewer managers than people, and the CASE form is slow at 50,000 rows.
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        person = existing[row.employee_number]
        manager_id = existing[row.manager_number]["pk"] if row.manager_number else None
        if person.get("manager_id") != manager_id:
            by_manager[manager_id].append(person["pk"])
    for manager_id, ids in by_manager.items():
        for start in range(0, len(ids), 5000):
            Person.objects.filter(pk__in=ids[start : start + 5000]).update(manager_id=manager_id)


def _sync_roles(rows: list[HRRow], existing: dict, role_links: dict[int, set[int]]) -> None:
    through = Person.job_roles.through
    add, remove = [], []
    for row in rows:
        person_id = existing[row.employee_number]["pk"]
        have = role_links.get(person_id, set())
        add += [(person_id, r) for r in row.role_ids - have]
        remove += [(person_id, r) for r in have - row.role_ids]
    if add:
        # Plain executemany: building 100,000 through-model instances costs more than the insert.
        table = connection.ops.quote_name(through._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (person_id, jobrole_id) VALUES (%s, %s)",  # noqa: S608 - table name from the model
                add,
            )
    for person_id, role_id in remove:
        through.objects.filter(person_id=person_id, jobrole_id=role_id).delete()


def _announce(result: ImportResult, transfers: list[Transfer]) -> None:
    people_synchronised.send(
        sender=Person,
        created_ids=result.created_ids,
        transferred_ids=result.transferred_ids,
        deactivated_ids=result.deactivated_ids,
    )
    for transfer in transfers:
        person_transferred.send(sender=Transfer, transfer=transfer)
