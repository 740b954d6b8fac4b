"""Access-log import of 1,000,000 rows (target on PostgreSQL: under 60 s, constant memory), and the
rules' query count, which must not grow with the rows.

python -m bench monitoring                 # SQLite (slower; set MONITORING_BENCH_ROWS=100000)
DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python -m bench monitoring

The log is generated to a temporary file and handed to the importer as a file, as the command does;
the peak resident memory is read after a 100,000-row import and again after the large one.
"""

import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time

ROWS = int(os.environ.get("MONITORING_BENCH_ROWS", "1000000"))
SMALL = 100_000
GRID_STAFF = 2_000
RETAIL_STAFF = 214  # the seed: 214 retail staff
MOVERS = 20  # ... and 20 who kept their grid ids
CONTRACTORS = 50
HEADER = ["ユーザID", "アクセス日時", "端末番号", "画面種別", "お客さま番号", "新電力区分"]


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_log(path: str, rows: int, *, start: dt.datetime, seed: int) -> None:
    """A month of views: grid staff at work, and the seed's patterns mixed in."""
    rnd = random.Random(seed)
    step = dt.timedelta(days=30) / rows
    with open(path, "w", encoding="cp932", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        when = start
        for i in range(rows):
            when += step
            pick = rnd.random()
            if pick < 0.90:
                account, terminal = f"N{rnd.randrange(GRID_STAFF):05d}", f"HQ-{rnd.randrange(300):03d}"
            elif pick < 0.94:
                account, terminal = f"R{rnd.randrange(RETAIL_STAFF):05d}", f"HC-{rnd.randrange(5):02d}"
            elif pick < 0.97:
                account, terminal = f"M{rnd.randrange(MOVERS):05d}", f"RT-{rnd.randrange(50):03d}"
            elif pick < 0.99:
                account, terminal = f"K{rnd.randrange(CONTRACTORS):05d}", f"KS-{rnd.randrange(20):03d}"
            else:
                account, terminal = f"C{rnd.randrange(8):05d}", "CC-01"  # the call centre's 8 accounts
            kind = ("契約情報", "使用量", "お知らせ", "検針")[i % 4]
            writer.writerow(
                [
                    account,
                    when.strftime("%Y-%m-%d %H:%M:%S"),
                    terminal,
                    kind,
                    f"{rnd.randrange(3_000_000):010d}",
                    "1" if i % 3 else "0",
                ]
            )


def setup_org():
    from monitoring.models import ContractPurpose, LogSource, System, SystemAccount, Terminal
    from people.models import Company, Person, Transfer, Unit
    from people.services import unit_add

    retail = Company.objects.create(code="RETAIL", name="小売", kind=Company.Kind.RETAILER)
    grid = Company.objects.create(code="GRID", name="送配電", kind=Company.Kind.GRID)
    contractor = Company.objects.create(code="KENSHIN", name="検針", kind=Company.Kind.CONTRACTOR)
    units = {
        "grid": unit_add(unit=Unit(code="GRID", name="送配電本部", company=grid)),
        "retail": unit_add(unit=Unit(code="SALES", name="営業所", company=retail)),
        "call": unit_add(unit=Unit(code="CALL", name="コールセンター", company=retail)),
        "contr": unit_add(unit=Unit(code="KS", name="検針班", company=contractor)),
    }
    people = []
    for prefix, count, unit, company in (
        ("N", GRID_STAFF, "grid", grid),
        ("R", RETAIL_STAFF, "retail", retail),
        ("M", MOVERS, "retail", retail),
        ("K", CONTRACTORS, "contr", contractor),
        ("C", 8, "call", retail),
    ):
        for i in range(count):
            people.append(
                Person(
                    email=f"{prefix.lower()}{i}@example.jp",
                    employee_number=f"{prefix}{i:06d}",
                    unit=units[unit],
                    company=company,
                )
            )
    Person.objects.bulk_create(people, batch_size=1000)
    by_number = dict(Person.objects.values_list("employee_number", "pk"))
    SystemAccount.objects.bulk_create(
        [
            SystemAccount(
                system=System.CUSTOMER_INFO, account_id=f"{number[0]}{int(number[1:]):05d}", person_id=pk, origin="hr"
            )
            for number, pk in by_number.items()
        ],
        batch_size=1000,
    )
    for i in range(MOVERS):
        Transfer.objects.create(
            person_id=by_number[f"M{i:06d}"],
            from_unit=units["grid"],
            to_unit=units["retail"],
            effective_on=dt.date(2020, 4, 1),
        )
    Terminal.objects.bulk_create([Terminal(code=f"HC-{i:02d}", is_shared_office=True) for i in range(5)])
    ContractPurpose.objects.create(
        company=contractor,
        name="検針",
        systems=[System.CUSTOMER_INFO],
        allowed_record_types=["検針"],
        valid_from=dt.date(2020, 1, 1),
    )
    return LogSource.objects.create(
        code="takuso",
        name="託送",
        system=System.CUSTOMER_INFO,
        columns=dict(zip(["account", "at", "terminal", "record_type", "record", "new_entrant"], HEADER, strict=True)),
        new_entrant_values=["1"],
        non_public_record_types=["契約情報", "使用量"],
    )


def main(argv: list[str]) -> int:
    from bench._setup import bench_django

    where = bench_django("monitoring")
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from monitoring.importing import log_import_run
    from monitoring.models import AccessEvent, Finding, LogImport
    from monitoring.rules import rules_run

    source = setup_org()
    folder = tempfile.mkdtemp(prefix="bench-monitoring-")
    small_path, large_path = os.path.join(folder, "small.csv"), os.path.join(folder, "large.csv")
    write_log(small_path, SMALL, start=dt.datetime(2022, 1, 1), seed=1)  # noqa: DTZ001 (text in the file)
    write_log(large_path, ROWS, start=dt.datetime(2022, 3, 1), seed=2)  # noqa: DTZ001
    size = os.path.getsize(large_path) / 1e6
    print(f"database: {where}; file: {ROWS:,} rows, {size:.1f} MB (cp932)")

    before = peak_mb()
    with open(small_path, "rb") as f:
        started = time.perf_counter()
        small = log_import_run(source=source, filename="small.csv", content=f, via=LogImport.Via.COMMAND)
        small_time = time.perf_counter() - started
    after_small = peak_mb()
    print(
        f"{SMALL:>9,} rows: {small_time:6.2f} s ({small.rows_added / small_time:,.0f} rows/s), "
        f"{small.findings_created:,} findings; peak memory {after_small:.0f} MB (+{after_small - before:.0f})"
    )

    with open(large_path, "rb") as f:
        started = time.perf_counter()
        large = log_import_run(source=source, filename="large.csv", content=f, via=LogImport.Via.COMMAND)
        large_time = time.perf_counter() - started
    after_large = peak_mb()
    print(
        f"{ROWS:>9,} rows: {large_time:6.2f} s ({large.rows_added / large_time:,.0f} rows/s; target < 60 s), "
        f"{large.findings_created:,} findings; peak memory {after_large:.0f} MB "
        f"(+{after_large - after_small:.0f} over the {SMALL:,}-row import)"
    )
    assert large.status == LogImport.Status.DONE and large.rows_added == ROWS, (large.status, large.errors[:3])

    counts = {}
    for label, events in (
        ("small", AccessEvent.objects.filter(log_import=small)),
        ("large", AccessEvent.objects.filter(log_import=large)),
    ):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rules_run(events=events)
            elapsed = time.perf_counter() - started
        counts[label] = (len(ctx.captured_queries), elapsed)
    print(
        f"rules over {SMALL:,} rows: {counts['small'][0]} queries ({counts['small'][1]:.2f} s); "
        f"over {ROWS:,} rows: {counts['large'][0]} queries ({counts['large'][1]:.2f} s)"
    )
    from monitoring.models import Rule
    from monitoring.rules import RULES, events_span

    span = events_span(AccessEvent.objects.filter(log_import=large))
    timings = []
    for rule in Rule.objects.all():
        started = time.perf_counter()
        RULES[rule.kind](rule, span)
        timings.append(f"{rule.kind} {time.perf_counter() - started:.1f} s")
    print("each rule over the large import's days: " + ", ".join(timings))
    by_rule = Finding.objects.values_list("rule__kind").annotate(n=Count("id")).order_by("rule__kind")
    print("findings by rule: " + ", ".join(f"{kind} {n:,}" for kind, n in by_rule))

    with open(large_path, "rb") as f:
        started = time.perf_counter()
        again = log_import_run(source=source, filename="large.csv", content=f, via=LogImport.Via.COMMAND)
        again_time = time.perf_counter() - started
    print(f"same file again: {again_time:6.2f} s (returns import {again.pk}, the first: {again.pk == large.pk})")
    sys.stdout.flush()
    return 0 if large_time < 60 or connection.vendor != "postgresql" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
