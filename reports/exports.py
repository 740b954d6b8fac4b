"""Tables as CSV (UTF-8 with BOM, so Japanese Excel opens it) and XLSX, written row by row.

Every table the dashboard shows can be exported. Row-level tables (assignments, overdue people)
come from the database in chunks (`QuerySet.iterator`) and go straight to the response or the
file; nothing builds the whole file in memory. On PostgreSQL their CSV is written by the database
itself (`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`) with the same cells, quoting and formula
protection (tests/reports/test_exports_copy.py compares the two byte for byte).
"""

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import CharField, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.dates import JST
from training.models import Assignment

from . import selectors

BOM = "\ufeff".encode()
CHUNK_ROWS = 2000


def cell(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: Iterable[tuple]
    count: int | None = None  # known in advance for row-level tables
    formatted: bool = False  # rows already hold only strings and numbers (see `_assignment_rows`)
    # The CSV lines after the header, ready to write (PostgreSQL's COPY); None: written from `rows`.
    csv_body: Callable[[], Iterator[bytes]] | None = None


class _Echo:
    def write(self, value: str) -> str:
        return value


# Text a spreadsheet would read as a formula (CSV injection): names and titles come from HR data
# and editors, and a cell "=HYPERLINK(…)" must not become a live formula in the reader's Excel.
FORMULA_STARTS = frozenset("=+-@\t\r")


def _as_text(row) -> list:
    return [f"'{v}" if v.__class__ is str and v[:1] in FORMULA_STARTS else v for v in row]


def csv_chunks(table: Table) -> Iterator[bytes]:
    """BOM, header, then rows in chunks of encoded lines. Text that starts like a formula gets a
    leading apostrophe, as OWASP advises, so Excel shows it as text (XLSX marks cells as text)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow(table.headers).encode()
    if table.csv_body is not None:
        yield from table.csv_body()
        return
    buffer: list[str] = []
    rows = table.rows if table.formatted else ([cell(v) for v in row] for row in table.rows)
    for row in rows:
        buffer.append(writer.writerow(_as_text(row)))
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def write_csv(table: Table, out, progress: Callable[[int], None] | None = None) -> int:
    written = 0
    for chunk in csv_chunks(table):
        out.write(chunk)
        written += chunk.count(b"\n")
        if progress:
            progress(max(written - 1, 0))
    return max(written - 1, 0)


def write_xlsx(table: Table, out_path: str, progress: Callable[[int], None] | None = None) -> int:
    """XlsxWriter in constant-memory mode: each row goes to a temporary XML file as soon as the next one starts.

    About twice as fast as openpyxl's write-only mode for a million rows, with the same cells:
    strings as inline strings, numbers as numbers, empty values as no cell. Text is never turned
    into a formula or a link, whatever it starts with (a name beginning with "=" stays a name).
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out_path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet(table.title[:31] or "data")
    write_row = sheet.write_row
    write_row(0, 0, table.headers)
    count = 0
    rows = table.rows if table.formatted else ([cell(v) for v in row] for row in table.rows)
    for count, row in enumerate(rows, start=1):
        write_row(count, 0, row)
        if progress and count % CHUNK_ROWS == 0:
            progress(count)
    workbook.close()
    if progress:
        progress(count)
    return count


# --- The tables -------------------------------------------------------------------------------


def _count_headers() -> list[str]:
    return [_("Assigned"), _("Completed"), _("Overdue"), _("Failed out"), _("Exempted"), _("Completion rate (%)")]


def _count_cells(counts: selectors.Counts) -> tuple:
    return (counts.assigned, counts.completed, counts.overdue, counts.failed_out, counts.exempted, counts.percent)


def _rows_table(name: str, title: str, first: str, rows: list[selectors.Row]) -> Table:
    return Table(
        name=name,
        title=title,
        headers=[_("Code"), first, *_count_headers()],
        rows=[(r.key, r.label, *_count_cells(r.counts)) for r in rows],
    )


STATUS_LABELS = dict(Assignment.Status.choices)


# Japan has had no daylight saving time since 1951: a fixed offset is exact and much cheaper per cell.
JST_OFFSET = dt.timedelta(hours=9)


def _jst(value: dt.datetime | None) -> str:
    return "" if value is None else (value.astimezone(dt.UTC) + JST_OFFSET).strftime("%Y-%m-%d %H:%M")


def _assignment_rows(rows) -> Iterator[list]:
    """One list per assignment, formatted once here (the hot loop of a million-row export)."""
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    for (
        number,
        family,
        given,
        unit_code,
        unit,
        etype,
        manager,
        module,
        cycle,
        status,
        assigned,
        due,
        done,
        exempted,
        failed_out,
    ) in rows.iterator(chunk_size=5000):
        yield [
            number or "",
            family,
            given,
            unit_code or "",
            unit or "",
            etype or "",
            manager or "",
            module,
            cycle,
            labels.get(status, status),
            _jst(assigned),
            _jst(due),
            _jst(done),
            _jst(exempted),
            _jst(failed_out),
        ]


def assignment_headers() -> list[str]:
    return [
        _("Employee number"),
        _("Family name"),
        _("Given name"),
        _("Unit code"),
        _("Unit"),
        _("Employment type"),
        _("Manager's employee number"),
        _("Module"),
        _("Cycle"),
        _("Status"),
        _("Assigned at"),
        _("Due"),
        _("Completed at"),
        _("Exempted at"),
        _("Failed out at"),
    ]


ROW_LEVEL = {"assignments", "overdue"}

TABLE_NAMES = {
    "units": gettext_lazy("Completion by unit"),
    "companies": gettext_lazy("Completion by company"),
    "employment_types": gettext_lazy("Completion by employment type"),
    "job_roles": gettext_lazy("Completion by job role"),
    "modules": gettext_lazy("Completion by module"),
    "trend": gettext_lazy("Completions by month"),
    "weak_points": gettext_lazy("Weak points by question and unit"),
    "attestations": gettext_lazy("Attestations"),
    "overdue": gettext_lazy("Overdue people"),
    "assignments": gettext_lazy("All assignments"),
}


# What a job's status page and the list of exports call each export (the xAPI file included).
JOB_NAMES = {**TABLE_NAMES, "xapi": gettext_lazy("xAPI statements")}


def row_level_table(
    *, name: str, cycle: str, unit_ids: list[int] | None, limit: int | None = None, copy: bool | None = None
) -> Table:
    """`limit`: only the first rows (benchmarks); `copy`: CSV by PostgreSQL's COPY (default: on PostgreSQL)."""
    assignments = selectors.assignment_export_assignments(
        cycle=cycle, unit_ids=unit_ids, overdue_only=name == "overdue"
    )
    rows = assignments.values_list(*selectors.ASSIGNMENT_EXPORT_FIELDS)
    copy_rows = assignment_copy_rows(assignments)
    if limit is not None:
        rows, copy_rows = rows[:limit], copy_rows[:limit]
    if copy is None:
        copy = connections[rows.db].vendor == "postgresql"
    return Table(
        name=name,
        title=str(TABLE_NAMES[name]),
        headers=assignment_headers(),
        rows=_assignment_rows(rows),
        count=rows.count(),
        formatted=True,
        csv_body=(lambda: _copy_csv_body(copy_rows)) if copy else None,
    )


# --- CSV by PostgreSQL's COPY -------------------------------------------------------------------
# The same cells as `_assignment_rows` + `csv_chunks`, computed by the database: Japan-time text,
# status labels, an apostrophe before text that starts like a formula. Module titles and status
# labels come in as one JSON parameter each, so the statement reads only the project's own tables
# (module titles live in Wagtail's page table).


class _CsvText(Func):
    """Text as `_as_text` writes it; NULL for empty text, which COPY writes as an empty field
    (COPY quotes an empty string, the Python writer does not)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.get_source_expressions()[0])
        # FORMULA_STARTS as code points: ascii() (the first character's) is cheaper than left(…, 1).
        starts = ", ".join(str(ord(c)) for c in sorted(FORMULA_STARTS))
        sql = f"NULLIF(CASE WHEN ascii({text}) IN ({starts}) THEN chr(39) || {text} ELSE {text} END, '')"
        return sql, (*params, *params, *params)


class _JstText(Func):
    """`_jst`: the fixed Japan offset, to the minute."""

    template = "to_char((%(expressions)s AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM-DD HH24:MI')"
    output_field = TextField()


class _JsonLookup(Func):
    """The text under a key of a JSON object passed as one parameter."""

    template = "(%(expressions)s)"
    arg_joiner = "::jsonb ->> "
    output_field = TextField()


def _json_lookup(mapping: dict, key) -> _JsonLookup:
    return _JsonLookup(Value(json.dumps(mapping, ensure_ascii=False), output_field=CharField()), Cast(key, TextField()))


COPY_TEXT_COLUMNS = {
    "c01": "person__employee_number",
    "c02": "person__family_name",
    "c03": "person__given_name",
    "c04": "person__unit__code",
    "c05": "person__unit__name",
    "c06": "person__employment_type__name",
    "c07": "person__manager__employee_number",
    "c09": "cycle",
}
COPY_TIME_COLUMNS = {
    "c11": "assigned_at",
    "c12": "due_at",
    "c13": "completed_at",
    "c14": "exempted_at",
    "c15": "failed_out_at",
}


def assignment_copy_rows(assignments: QuerySet) -> QuerySet:
    """The export's rows (`selectors.assignment_export_assignments`) as the CSV's text columns, in order."""
    from training.models import TrainingModulePage

    titles = {str(pk): title for pk, title in TrainingModulePage.objects.values_list("pk", "title")}
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    columns = {name: _CsvText(F(field)) for name, field in COPY_TEXT_COLUMNS.items()}
    columns["c08"] = _CsvText(_json_lookup(titles, F("module_id")))
    # A status without a label is written as stored, as `_assignment_rows` does.
    columns["c10"] = _CsvText(Coalesce(_json_lookup(labels, F("status")), F("status"), output_field=TextField()))
    columns.update({name: _JstText(F(field)) for name, field in COPY_TIME_COLUMNS.items()})
    return assignments.annotate(**columns).values_list(*sorted(columns))


def _copy_csv_body(rows: QuerySet, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """CSV lines from `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`, ending in CRLF as the Python writer's do.

    PostgreSQL sends one message per row, ending in its line feed (a line feed inside a quoted
    cell stays as it is, as the Python writer leaves it); that last byte becomes CRLF.
    """
    sql, params = rows.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connections[rows.db].cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        buffer: list = []
        for line in copy:
            buffer.append(line[:-1])
            if len(buffer) >= chunk_rows:
                yield b"\r\n".join(buffer) + b"\r\n"
                buffer = []
        if buffer:
            yield b"\r\n".join(buffer) + b"\r\n"


def summary_table(*, name: str, dashboard: selectors.Dashboard) -> Table:
    title = str(TABLE_NAMES[name])
    if name == "units":
        return _rows_table(name, title, _("Unit"), dashboard.units)
    if name == "companies":
        return _rows_table(name, title, _("Company"), dashboard.companies)
    if name == "employment_types":
        return _rows_table(name, title, _("Employment type"), dashboard.employment_types)
    if name == "job_roles":
        return _rows_table(name, title, _("Job role"), dashboard.job_roles)
    if name == "modules":
        return _rows_table(name, title, _("Module"), dashboard.modules)
    if name == "trend":
        return Table(
            name=name,
            title=title,
            headers=[_("Month"), _("Completed"), _("Completed so far"), _("Completion rate (%)")],
            rows=[
                (
                    p.month.strftime("%Y-%m"),
                    p.completed,
                    p.cumulative,
                    None if p.rate is None else round(p.rate * 100, 1),
                )
                for p in dashboard.trend
            ],
        )
    if name == "weak_points":
        points = selectors.weak_points(dashboard=dashboard, limit=10_000)
        return Table(
            name=name,
            title=title,
            headers=[_("Question id"), _("Question"), _("Unit"), _("Answers"), _("Wrong"), _("Wrong (%)")],
            rows=[
                (p.question_id, p.text, unit, answered, wrong, round(100 * wrong / answered, 1))
                for p in points
                for unit, answered, wrong in [(_("All units in view"), p.answered, p.wrong), *p.by_unit]
            ],
        )
    if name == "attestations":
        return Table(
            name=name,
            title=title,
            headers=[_("Document"), _("Version"), _("People in audience"), _("Acknowledged"), _("Rate (%)")],
            rows=[
                (a.title, a.version, a.audience, a.acknowledged, a.percent)
                for a in selectors.attestation_completion(unit_ids=dashboard.unit_ids)
            ],
        )
    raise KeyError(name)
