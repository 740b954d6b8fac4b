"""Benchmark: training assignment sync for 50,000 people and five modules.

    .venv/bin/python bench/assignment_sync.py [--people 50000]

Uses a throwaway SQLite file unless BENCH_DATABASE_URL points at a PostgreSQL database (which
is dropped and recreated). Prints the time of a first full sync (creating every assignment),
a second full sync (nothing to do), a targeted sync after an HR import touching 1,000 people,
and the number of queries each took.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-sync-')) / 'bench.sqlite3'}"
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from people.models import Company, EmploymentType, JobRole, Person, Unit
    from people.services import unit_add
    from portal.models import HomePage
    from training import services
    from training.models import Assignment, TrainingIndexPage, TrainingModulePage

    call_command("migrate", verbosity=0)
    company = Company.objects.create(code="MICHINOKU", name="みちのく電力")
    sales = unit_add(unit=Unit(code="SALES", name="営業部", company=company))
    offices = [
        unit_add(unit=Unit(code=f"OFFICE{i}", name=f"営業所{i}", company=company), parent=sales) for i in range(23)
    ]
    cc = unit_add(unit=Unit(code="CC", name="カスタマーセンター", company=company))
    hq = unit_add(unit=Unit(code="HQ", name="本社", company=company))
    etypes = {c: EmploymentType.objects.create(code=c, name=c) for c in ("REGULAR", "TEMP", "CONTRACTOR", "EXECUTIVE")}
    roles = {c: JobRole.objects.create(code=c, name=c) for c in ("SALES", "CALL_CENTRE")}
    units = [*offices, cc, hq]
    people = []
    for i in range(args.people):
        unit = units[i % len(units)]
        etype = "REGULAR" if i % 10 < 7 else ("TEMP" if i % 10 < 8 else ("CONTRACTOR" if i % 10 < 9 else "EXECUTIVE"))
        people.append(
            Person(
                email=f"p{i}@example.jp",
                employee_number=f"B{i:07d}",
                company=company,
                unit=unit,
                employment_type=etypes[etype],
                password="!",  # noqa: S106 - an unusable password, as Django writes it
            )  # fmt: skip
        )
    Person.objects.bulk_create(people, batch_size=5000)
    through = Person.job_roles.through
    ids = list(Person.objects.values_list("pk", "unit_id"))
    through.objects.bulk_create(
        [
            through(person_id=pk, jobrole_id=roles["CALL_CENTRE" if unit_id == cc.pk else "SALES"].pk)
            for pk, unit_id in ids
        ],
        batch_size=5000,
    )

    home = Page.get_first_root_node().add_child(instance=HomePage(title="home", slug="bench-home"))
    index = home.add_child(instance=TrainingIndexPage(title="研修", slug="training-modules"))
    lesson = [("lesson", {"title": "L1", "body": [("paragraph", "<p>本文</p>")]})]
    audiences = [
        ("everyone", {"audience_everyone": True}, [], []),
        ("sales", {}, [sales], [etypes["REGULAR"]]),
        ("cc", {}, [cc], [etypes["REGULAR"]]),
        ("staff", {}, [], [etypes["TEMP"], etypes["CONTRACTOR"]]),
        ("exec", {}, [], [etypes["EXECUTIVE"]]),
    ]
    for slug, fields, unit_list, etype_list in audiences:
        page = TrainingModulePage(title=slug, slug=slug, summary="s", lessons=lesson, due_days=30, **fields)
        page.audience_units = unit_list
        page.audience_employment_types = etype_list
        index.add_child(instance=page)
        page.save_revision().publish()
    Assignment.objects.all().delete()  # publishing may already have synced; measure from nothing
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done on a live database

    def timed(label: str, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = services.assignments_sync(**kwargs)
            elapsed = time.perf_counter() - start
        print(
            f"{label:<42} {elapsed:8.2f} s  queries={len(queries):<4} "
            f"created={result.created} archived={result.archived} restored={result.restored}"
        )
        return elapsed

    print(f"database: {connection.vendor}; people: {args.people}; modules: {len(audiences)}")
    timed("first full sync (all assignments new)")
    timed("second full sync (nothing to do)")
    moved = list(Person.objects.filter(unit=hq).values_list("pk", flat=True)[:1000])
    Person.objects.filter(pk__in=moved).update(unit=cc)
    timed("targeted sync, 1,000 people moved to CC", people=moved)
    print(f"assignments in the database: {Assignment.objects.count()}")


if __name__ == "__main__":
    main()
