"""Streaming export of 1,000,000 assignment rows: time and peak memory.

    python -m bench export                         # SQLite, CSV
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python -m bench export
    python -m bench.export --xlsx                  # also the XLSX (XlsxWriter, constant memory, temp file)
    python -m bench.export --xlsx --rows 200000    # only the first 200,000 rows (quicker iterations)

Target (SPEC §3): under 60 s, peak memory under 200 MB; on PostgreSQL (issue 16) the CSV within
5× of PostgreSQL's own COPY of the same rows, measured first in the same run: the floor is
`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` of the same assignments and joins with the raw
columns (no formatting, module ids instead of titles), read to the end by psycopg. The export
runs in a fresh child process so that its peak resident size (ru_maxrss) is the export's, not
the data generator's; it goes through the same generator the export task uses
(`reports.exports.csv_chunks`, which on PostgreSQL streams COPY output).
"""

import argparse
import os
import resource
import subprocess
import sys
import time

CHILD = "bench.export:child"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(fmt: str, limit: int | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from reports import exports, selectors

    baseline = rss_mb()
    floor = None
    if fmt == "csv":
        floor = copy_floor(limit)
    table = exports.row_level_table(name="assignments", cycle=selectors.CURRENT, unit_ids=None, limit=limit)
    started = time.perf_counter()
    if fmt == "csv":
        size = rows = 0
        with open(os.devnull, "wb") as sink:
            for chunk in exports.csv_chunks(table):
                sink.write(chunk)
                size += len(chunk)
                rows += chunk.count(b"\n")
        rows -= 1
    else:
        path = "/tmp/bench-export.xlsx"  # noqa: S108 - benchmark scratch file
        rows = exports.write_xlsx(table, path)
        size = os.path.getsize(path)
        os.unlink(path)
    elapsed = time.perf_counter() - started
    print(
        f"{fmt.upper():<5} {rows:>10,} rows  {elapsed:7.1f} s  {size / 1e6:7.1f} MB  "
        f"peak RSS {rss_mb():6.0f} MB (after Django set-up {baseline:4.0f} MB)  "
        f"target < 60 s, < 200 MB",
        flush=True,
    )
    if floor is not None:
        print(f"CSV ÷ COPY floor {elapsed / floor:5.2f}  (target ≤ 5)", flush=True)


def copy_floor(limit: int | None) -> float | None:
    """Seconds for PostgreSQL's own COPY of the export's rows (raw columns); None on SQLite."""
    from django.db import connection

    from reports import selectors

    if connection.vendor != "postgresql":
        print("COPY floor: not on SQLite (the export writes CSV in Python there)", flush=True)
        return None
    fields = [f for f in selectors.ASSIGNMENT_EXPORT_FIELDS if f != "module__title"] + ["module_id"]
    rows = selectors.assignment_export_assignments(cycle=selectors.CURRENT, unit_ids=None).values_list(*fields)
    if limit is not None:
        rows = rows[:limit]
    sql, params = rows.query.sql_with_params()
    started = time.perf_counter()
    size = count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for line in copy:
            size += len(line)
            count += 1
    elapsed = time.perf_counter() - started
    print(f"COPY  {count:>10,} rows  {elapsed:7.1f} s  {size / 1e6:7.1f} MB  (the floor: raw columns, no formatting)")
    return elapsed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench export")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--rows", type=int, default=None, help="export only the first ROWS rows")
    args = parser.parse_args(argv)

    from bench._bigdata import big_django

    where = big_django(args.people)
    print(f"database: {where}", flush=True)
    for fmt in ("csv", "xlsx") if args.xlsx else ("csv",):
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", f"import bench.export as e; e.child({fmt!r}, {args.rows!r})"],
            env=os.environ.copy(),
            check=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
