"""50,000 people × 20 assignments (1,000,000 rows) with quiz attempts, for the reports benchmarks.

Rows go in with raw bulk inserts (COPY on PostgreSQL, executemany on SQLite), not the ORM, so
the data takes minutes rather than hours. The database is kept between runs (a file under
/tmp on SQLite, `<DATABASE_URL>_bench_reports` on PostgreSQL) and rebuilt only when the size
asked for differs, so `python -m bench dashboard` and `python -m bench export` share it.

    python -m bench._bigdata [--people 50000]     # build (or reuse) and print the sizes

Shape: a head office and a sales division with 3 areas × 8 offices, a call centre, the grid
company side; 20 annual modules (the FY2026 cycle), each assigned to everyone; about 72 % of
assignments completed (spread over April–November), 2 % exempted, the rest open with due
dates either side of "now"; 3 % more people have left (their rows exist but do not
count). Five modules have a quiz: every completed
assignment of those has a passed attempt, a quarter also a failed one, with 5 graded answers each.
"""

import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

MODULES = 20
QUIZ_MODULES = 5
QUESTIONS = 5
SQLITE_PATH = Path("/tmp/bench-reports.sqlite3")  # noqa: S108 - a throw-away benchmark database


def _configure() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/')}_bench_reports"
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        return name
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    return str(SQLITE_PATH)


def _recreate(name: str) -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        SQLITE_PATH.unlink(missing_ok=True)


def _existing_size(name: str) -> int | None:
    """People in an existing benchmark database, or None when there is none to reuse."""
    url = os.environ["DATABASE_URL"]
    try:
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT value FROM bench_reports_meta WHERE key = 'people'").fetchone()
        else:
            import sqlite3

            if not SQLITE_PATH.exists():
                return None
            with sqlite3.connect(SQLITE_PATH) as conn:
                row = conn.execute("SELECT value FROM bench_reports_meta WHERE key = 'people'").fetchone()
        return int(row[0]) if row else None
    except Exception:  # noqa: BLE001 - no database or no marker: build afresh
        return None


def big_django(people: int = 50_000, *, rebuild: bool = False) -> str:
    """Point Django at the benchmark database, building it if needed; returns a description."""
    name = _configure()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    reuse = not rebuild and _existing_size(name) == people
    if not reuse:
        _recreate(name)
    import django

    django.setup()
    from django.core.management import call_command

    # A kept database is brought up to the code's migrations too (they may reshape its rows).
    call_command("migrate", verbosity=0)
    if not reuse:
        started = time.perf_counter()
        _build(people)
        print(
            f"generated {people:,} people × {MODULES} assignments in {time.perf_counter() - started:.0f} s", flush=True
        )
    from django.db import connection

    return f"{connection.vendor} ({name})"


def _insert(table: str, columns: list[str], rows, *, batch: int = 20_000) -> int:
    """COPY on PostgreSQL, executemany on SQLite; `rows` may be a generator."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - names are ours
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
    return count


def _build(people: int) -> None:  # noqa: PLR0915 - one straight script
    from django.db import connection, transaction
    from wagtail.models import Page

    from people.models import Company, EmploymentType, JobRole, Person, Unit
    from people.services import unit_add
    from portal.models import HomePage
    from quizzes.services import question_bank_publish, quiz_configure
    from training.dates import JST, end_of_day_jst
    from training.models import Assignment, TrainingIndexPage, TrainingModulePage

    rng = random.Random(2026)  # reproducible test data
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        company = Company.objects.create(code="MICHINOKU", name="みちのく電力")
        grid = Company.objects.create(code="GRID", name="みちのく電力ネットワーク", kind=Company.Kind.GRID)
        hq = unit_add(unit=Unit(code="HQ", name="本店", company=company, kind=Unit.Kind.DIVISION))
        sales = unit_add(unit=Unit(code="SALES", name="営業部", company=company, kind=Unit.Kind.DIVISION), parent=hq)
        offices = []
        for area in range(3):
            parent = unit_add(
                unit=Unit(code=f"AREA{area}", name=f"営業エリア{area + 1}", company=company), parent=sales
            )
            offices += [
                unit_add(
                    unit=Unit(code=f"OFF{area}{i}", name=f"営業所{area + 1}-{i + 1}", company=company), parent=parent
                )
                for i in range(8)
            ]
        cc = unit_add(unit=Unit(code="CC", name="カスタマーセンター", company=company), parent=hq)
        admin_unit = unit_add(unit=Unit(code="ADMIN", name="総務部", company=company), parent=hq)
        nw = unit_add(unit=Unit(code="NW", name="送配電部", company=grid))
        units = [*offices, *offices, cc, cc, cc, admin_unit, nw]
        etype_names = (("REGULAR", "正社員"), ("TEMP", "派遣社員"), ("CONTRACTOR", "委託先社員"))
        etypes = [EmploymentType.objects.create(code=c, name=n) for c, n in etype_names]
        role_names = (("SALES", "営業窓口"), ("CALL_CENTRE", "コールセンター"), ("MANAGER", "管理職"))
        roles = [JobRole.objects.create(code=c, name=n) for c, n in role_names]

        # `people` active people (each with 20 current assignments: the exported million) plus 3 % leavers.
        total = people + people * 3 // 100

        def person_rows():
            for i in range(total):
                unit = units[i % len(units)]
                etype = etypes[0 if i % 10 < 7 else (1 if i % 10 < 9 else 2)]
                active = i < people
                yield (
                    "!",
                    False,
                    f"p{i}@bench.example.jp",
                    f"B{i:07d}",
                    "佐藤",
                    f"花子{i}",
                    unit.company_id,
                    unit.pk,
                    etype.pk,
                    None,
                    active,
                    False,
                    True,
                    now,
                    None if active else now,
                )

        _insert(
            Person._meta.db_table,
            ["password", "is_superuser", "email", "employee_number", "family_name", "given_name", "company_id",
             "unit_id", "employment_type_id", "manager_id", "is_active", "is_staff", "hr_managed", "date_joined",
             "left_at"],
            person_rows(),
        )  # fmt: skip
        first = Person.objects.order_by("pk").values_list("pk", flat=True).first()
        person_ids = range(first, first + total)
        # Every office's first person manages the others there.
        heads = dict(Person.objects.filter(pk__in=person_ids[: len(units)]).values_list("unit_id", "pk"))
        for unit_id, head in heads.items():
            Person.objects.filter(unit_id=unit_id).exclude(pk=head).update(manager_id=head)
        through = Person.job_roles.through
        _insert(
            through._meta.db_table,
            ["person_id", "jobrole_id"],
            (
                (pk, role.pk)
                for n, pk in enumerate(person_ids)
                for role in ([roles[0]] if n % 4 else [roles[0], roles[1]]) + ([roles[2]] if n % 50 == 0 else [])
            ),
        )

        home = Page.get_first_root_node().add_child(instance=HomePage(title="home", slug="bench-home"))
        index = home.add_child(instance=TrainingIndexPage(title="研修", slug="training-modules"))
        lesson = [("lesson", {"title": "L1", "body": [("paragraph", "<p>本文</p>")]})]
        modules, quizzes = [], {}
        for m in range(MODULES):
            quiz = None
            if m < QUIZ_MODULES:
                bank = question_bank_publish(
                    slug=f"bench-bank-{m}",
                    title=f"設問集{m}",
                    questions=[
                        {
                            "kind": "single",
                            "text": f"研修{m}の設問{q}",
                            "choices": [{"text": "正", "correct": True}, {"text": "誤", "correct": False}],
                            "explanation": "<p>解説</p>",
                        }
                        for q in range(QUESTIONS)
                    ],
                )
                quiz = quiz_configure(slug=f"bench-quiz-{m}", title=f"確認テスト{m}", bank_slugs=[bank.slug],
                                      question_count=QUESTIONS, pass_mark_percent=80)  # fmt: skip
            page = TrainingModulePage(title=f"研修{m + 1:02d}", slug=f"m{m}", summary="s", lessons=lesson, quiz=quiz,
                                      due_days=30, audience_everyone=False)  # fmt: skip
            # Not live: publishing would run the assignment sync over 50,000 people.
            page.live = False
            index.add_child(instance=page)
            modules.append(page)
            if quiz:
                quizzes[page.pk] = (quiz, list(bank.questions.values_list("pk", flat=True)))
        TrainingModulePage.objects.filter(pk__in=[p.pk for p in modules]).update(live=True)

    fy_start = dt.datetime(2026, 4, 1, tzinfo=JST)
    statuses = []  # (assignment index → status) decided once, used for attempts

    def assignment_rows():
        for n, pk in enumerate(person_ids):
            for m, module in enumerate(modules):
                roll = rng.random()
                due = end_of_day_jst((fy_start + dt.timedelta(days=30 + 15 * m + (n % 40))).date())
                assigned_at = fy_start + dt.timedelta(days=15 * m)
                if roll < 0.72:
                    done = assigned_at + dt.timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23))
                    done = min(done, now - dt.timedelta(hours=1))
                    status, completed, exempted, reason = "completed", done, None, ""
                elif roll < 0.74:
                    status, completed, exempted, reason = "exempted", None, assigned_at, "長期休職"
                else:
                    status, completed, exempted, reason = "assigned", None, None, ""
                statuses.append(status)
                yield (pk, module.pk, "FY2026", "auto", status, assigned_at, due, completed, completed, exempted,
                       None, reason, None, "")  # fmt: skip

    with transaction.atomic():
        _insert(
            Assignment._meta.db_table,
            ["person_id", "module_id", "cycle", "source", "status", "assigned_at", "due_at", "quiz_passed_at",
             "completed_at", "exempted_at", "exempted_by_id", "exemption_reason", "archived_at", "archive_reason"],
            assignment_rows(),
        )  # fmt: skip
    _attempts(person_ids, modules, quizzes, statuses, rng, now)
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_reports_meta (key varchar(20) PRIMARY KEY, value varchar(40))")
        cursor.execute("INSERT INTO bench_reports_meta VALUES ('people', %s)", [str(people)])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # as autovacuum would on a live database


def _attempts(person_ids, modules, quizzes, statuses, rng, now) -> None:
    from django.db import transaction

    from quizzes.models import Attempt, AttemptResponse
    from training.models import Assignment

    first_assignment = Assignment.objects.order_by("pk").values_list("pk", flat=True).first()
    attempts, responses = [], []
    attempt_pk = 1  # position in insert order; shifted to the real ids after the insert

    def add(person, quiz, context, number, when, questions, passed):
        nonlocal attempt_pk
        wrong = set() if passed else set(rng.sample(range(QUESTIONS), 2))
        if passed and rng.random() < 0.3:
            wrong = {rng.randrange(QUESTIONS)}
        correct = QUESTIONS - len(wrong)
        attempts.append((str(uuid.UUID(int=rng.getrandbits(128))), person, quiz.pk, context, "", number, "submitted",
                         when, None, when, False, 80, "[]", "{}", correct, round(100 * correct / QUESTIONS, 2),
                         correct * 100 >= 80 * QUESTIONS, QUESTIONS, "{}", 1))  # fmt: skip
        for position, question in enumerate(questions):
            responses.append((attempt_pk, question, question, position, "[]", position not in wrong))
        attempt_pk += 1

    index = 0
    for person in person_ids:
        for module in modules:
            status = statuses[index]
            if module.pk in quizzes and status == "completed":
                quiz, questions = quizzes[module.pk]
                context = f"assignment:{first_assignment + index}"
                when = now - dt.timedelta(days=rng.randint(1, 200))
                number = 1
                if rng.random() < 0.25:
                    add(person, quiz, context, 1, when - dt.timedelta(days=1), questions, False)
                    number = 2
                add(person, quiz, context, number, when, questions, True)
            index += 1
    with transaction.atomic():
        _insert(
            Attempt._meta.db_table,
            ["public_id", "person_id", "quiz_id", "context", "return_url", "number", "status", "started_at",
             "deadline_at", "submitted_at", "timed_out", "pass_mark_percent", "questions", "answers",
             "correct_count", "score_percent", "passed", "answered_count", "late_answers", "sequence"],
            iter(attempts),
        )  # fmt: skip
        first_attempt = Attempt.objects.order_by("pk").values_list("pk", flat=True).first()
        offset = first_attempt - 1
        _insert(
            AttemptResponse._meta.db_table,
            ["attempt_id", "question_id", "question_key", "position", "selected", "is_correct"],
            ((a + offset, q, k, p, s, c) for a, q, k, p, s, c in responses),
        )


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench._bigdata")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    where = big_django(args.people, rebuild=args.rebuild)
    from quizzes.models import Attempt, AttemptResponse
    from training.models import Assignment

    print(f"{where}: assignments {Assignment.objects.count():,}; attempts {Attempt.objects.count():,}; "
          f"graded answers {AttemptResponse.objects.count():,}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
