"""Load test: employees browsing, searching and taking quizzes on a real portal, for minutes.

SPEC §3 and issue 8: 100 concurrent users for several minutes with no errors; p50/p95 per
endpoint; quiz submission p95 under 200 ms; and, in the same run on the same server, a rule page
for a logged-in employee at least half the throughput of a minimal Django view.

The portal runs as in production: gunicorn and a task worker, on PostgreSQL with Redis when
DATABASE_URL/REDIS_URL say so, with the full demo data. Locust (headless, loopback only) plays
the employees (bench/_locustfile.py): each has their own session and pauses one to three seconds
between actions. After the load, the floor and rule page are compared on the same server
(`bench.page_throughput.compare`), and the database is checked: every submission locust saw
succeed is one graded attempt, and no attempt is half-written.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/14 \\
        python -m bench load                     # 100 users, 5 minutes
    python -m bench.load --users 100 --minutes 3 --compare-seconds 10
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from ._server import ROOT, PortalServer, logged_in_sessions
from ._setup import bench_django
from .page_throughput import FLOOR, RULE_PAGE, compare, employees
from .quiz_submit import bench_quiz

SEARCHES = ["閲覧", "顧客情報", "スイッチング", "派遣社員", "八戸", "端末", "異動", "非公開情報"]
QUIZ_QUESTIONS = 10


def _plan(people: list) -> dict:
    from casebook.models import CaseStudyPage
    from portal.models import QAPage, RulePage
    from quizzes.services import attempt_start

    quiz = bench_quiz(QUIZ_QUESTIONS, slug="load")
    sessions = logged_in_sessions(people)
    return {
        "people": [
            {"session": session, "attempt": attempt_start(person=person, quiz=quiz, context="load").get_absolute_url()}
            for person, session in zip(people, sessions, strict=True)
        ],
        "rules": [p.url for p in RulePage.objects.live().public()],
        "qa": [p.url for p in QAPage.objects.live().public()],
        "cases": [p.url for p in CaseStudyPage.objects.live().public()],
        "searches": SEARCHES,
    }


def _report(stats_csv: Path) -> tuple[int, dict]:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    print(f"{'endpoint':<20} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    errors = 0
    by_name = {}
    for row in rows:
        by_name[row["Name"]] = row
        errors += int(row["Failure Count"]) if row["Name"] != "Aggregated" else 0
        print(
            f"{row['Name']:<20} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):6.1f} {row['50%']:>7} {row['95%']:>7} {float(row['Max Response Time']):7.0f}"
        )
    return errors, by_name


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.load")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--compare-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)

    where = bench_django("load")
    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    people = employees(args.users)
    if len(people) < args.users:
        raise SystemExit(f"the demo has only {len(people)} employees without a role")
    plan = _plan(people)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (workdir / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")

    with PortalServer(workers=args.workers, threads=args.threads, task_worker=True) as server:
        print(
            f"database: {where}; server settings {server.settings_module}; gunicorn {args.workers} workers × "
            f"{args.threads} threads + 1 task worker; {args.users} users for {args.minutes:g} min "
            f"(spawn {args.spawn_rate:g}/s, 1–3 s pauses)",
            flush=True,
        )
        seconds = round(args.minutes * 60)
        locust = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "_locustfile.py"), "--headless"]
        locust += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{seconds}s"]
        locust += ["--host", f"http://127.0.0.1:{server.port}", "--csv", str(workdir / "load"), "--only-summary"]
        locust += ["--stop-timeout", "10", "--loglevel", "WARNING"]
        env = {**server.env, "BENCH_LOAD_PLAN": str(workdir / "plan.json")}
        subprocess.run(locust, env=env, cwd=ROOT, timeout=seconds + 180, stdout=subprocess.DEVNULL, check=False)
        errors, stats = _report(workdir / "load_stats.csv")
        submit_p95 = float(stats["quiz submit"]["95%"]) if "quiz submit" in stats else float("nan")
        print(f"errors: {errors} (target 0); quiz submit p95 {submit_p95:.0f} ms (target < 200 ms)", flush=True)

        print(f"\nsame server, after the load: floor and rule page, {args.compare_seconds:g} s each, 20 clients")
        ratios = compare(server, plan_sessions(plan)[:20], [FLOOR, RULE_PAGE], args.compare_seconds)

    from quizzes.models import Attempt

    submitted = int(stats["quiz submit"]["Request Count"]) - int(stats["quiz submit"]["Failure Count"])
    graded = Attempt.objects.filter(context="load", status=Attempt.Status.SUBMITTED)
    half_written = graded.filter(score_percent__isnull=True).count()
    # Locust stops users mid-request at the end of the run, so a few submissions may be graded
    # without locust recording their answer; never fewer graded attempts than recorded successes.
    print(
        f"database: {graded.count()} graded quiz attempts for {submitted} submissions locust saw succeed "
        f"(target: at least as many); {half_written} submitted without a score (target 0)"
    )
    print(f"rule page: throughput ratio {ratios[RULE_PAGE[0]][0]:.2f}, server-CPU ratio {ratios[RULE_PAGE[0]][1]:.2f}")
    print(f"locust CSV files: {workdir}")


def plan_sessions(plan: dict) -> list[str]:
    return [person["session"] for person in plan["people"]]


if __name__ == "__main__":
    main(sys.argv[1:])
