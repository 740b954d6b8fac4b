"""HR import of 50,000 people (target: under 30 s), then the same file again (target: no writes).

python -m bench hr_import            # SQLite
DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python -m bench hr_import
"""

import csv
import io
import sys
import time

PEOPLE = 50_000
OFFICES = 200


def make_file(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["社員番号", "メールアドレス", "姓", "名", "会社コード", "所属コード", "雇用区分", "職務", "上長社員番号"]
    )
    for i in range(n):
        office = i % OFFICES
        head = f"B{office:07d}"
        number = f"B{i:07d}"
        manager = "" if i < OFFICES else head
        etype = ("REGULAR", "TEMP", "CONTRACTOR")[i % 3 if i % 10 == 0 else 0]
        writer.writerow(
            [
                number,
                f"{number.lower()}@example.jp",
                "佐藤",
                "花子",
                "BENCH",
                f"OFF{office:03d}",
                etype,
                "SALES" if i % 2 else "SALES;CALL_CENTRE",
                manager,
            ]
        )
    return out.getvalue().encode("cp932")


def main(argv: list[str]) -> None:
    from bench._setup import bench_django

    where = bench_django("hr_import")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.hr_import import hr_import_run
    from people.models import Company, EmploymentType, JobRole, Unit
    from people.services import unit_add

    company = Company.objects.create(code="BENCH", name="ベンチ電力")
    root = unit_add(unit=Unit(code="ROOT", name="本店", company=company))
    for office in range(OFFICES):
        unit_add(unit=Unit(code=f"OFF{office:03d}", name=f"営業所{office}", company=company), parent=root)
    for code in ("REGULAR", "TEMP", "CONTRACTOR"):
        EmploymentType.objects.create(code=code, name=code)
    for code in ("SALES", "CALL_CENTRE"):
        JobRole.objects.create(code=code, name=code)

    raw = make_file(PEOPLE)
    print(f"database: {where}; file: {PEOPLE:,} rows, {len(raw) / 1e6:.1f} MB (cp932)")
    started = time.perf_counter()
    result = hr_import_run(raw=raw)
    first = time.perf_counter() - started
    print(f"first import:  {first:6.2f} s  (created {result.created:,}; target < 30 s)")

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = hr_import_run(raw=raw)
        second = time.perf_counter() - started
    writes = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    print(
        f"re-import:     {second:6.2f} s  (unchanged {result.unchanged:,}; write statements: {len(writes)}; target 0)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
