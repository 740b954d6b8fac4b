"""Faults the production topology must survive (docs/deployment.md, "Faults and recovery").

- PostgreSQL restarted under load: requests fail cleanly while it is down, the portal recovers
  without a restart, and no quiz attempt, HR import or audit entry is left half-written.
- A task worker killed in the middle of a task: another worker runs it again and nobody gets an
  e-mail twice.
- Redis down: logged-in pages are still served (the test prints how fast), and Redis is used again
  once it is back.

The tests start their own PostgreSQL cluster and Redis (never the shared ones), app servers and
task workers, and stop them all in finalisers. They run in CI's PostgreSQL pass (the production
database; the cluster they start is their own, so they do not need the suite's DATABASE_URL).
"""

import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from .hanging_mail import recipients
from .servers import PostgresCluster, Processes, RedisServer, answers, login, manage, wait_for

pytestmark = pytest.mark.postgres

TEMPLATE = "portal_faults_template"
LOAD_DEMO = (
    "from io import StringIO\n"
    "from portal.demo import load as portal\n"
    "from people.demo import load as people\n"
    "from quizzes.demo import load as quizzes\n"
    "for load in (portal, people, quizzes):\n"
    "    load(StringIO())\n"
)


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of our own, with a migrated database holding the demo people and quizzes."""
    pg = PostgresCluster()
    try:
        pg.create_database(TEMPLATE)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": pg.url(TEMPLATE)}
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "shell", "-c", LOAD_DEMO)
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def processes(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    yield procs
    procs.stop_all()


@pytest.fixture
def portal_env(cluster, tmp_path, request):
    """Environment for the processes of one test, on a fresh copy of the template database."""
    name = f"faults_{request.node.name[:40]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": cluster.create_database(name, template=TEMPLATE),
        "PORTAL_TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    env.pop("REDIS_URL", None)
    (tmp_path / "mail").mkdir()
    return env


def shell_json(env: dict, script: str) -> dict:
    """Run a script in `manage.py shell` and return the JSON it prints last."""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


# --- PostgreSQL restarted under load -----------------------------------------------------

EMPLOYEES = ["sales@example.jp", "cc@example.jp", "temp@example.jp", "manager@example.jp"]
ATTEMPTS_EACH = 40
IMPORT_JOBS = 5
EXTRA_ROWS = 2000  # each import then runs for most of a second, and they follow one another
QUIZ_TITLE = "行為規制の基本 確認テスト"

PREPARE_LOAD = f"""
import json
from people.demo import demo_rows, COLUMNS
from people.models import Person
from people.services import hr_import_job_create
from quizzes.models import Quiz
from quizzes.services import attempt_start
quiz = Quiz.objects.get(slug="conduct-basics")
people = {{}}
for email in {EMPLOYEES!r}:
    person = Person.objects.get(email=email)
    attempts = []
    for n in range({ATTEMPTS_EACH}):
        attempt = attempt_start(person=person, quiz=quiz, context=f"fault-{{n}}")
        first = {{str(q["id"]): [q["choices"][0]["id"]] for q in attempt.questions}}
        attempts.append({{"id": str(attempt.public_id), "answers": first}})
    people[email] = {{"name": person.family_name, "attempts": attempts}}
# HR snapshots: the demo people (so nobody logged in is deactivated) and {EXTRA_ROWS} people new in each.
admin = Person.objects.get(email="admin@example.jp")
header = ",".join(COLUMNS)
for job in range({IMPORT_JOBS}):
    rows = [",".join(r) for r in demo_rows()]
    rows += [f"F{{job:02d}}{{n:04d}},f{{job}}-{{n}}@example.jp,障害,試験,MICHINOKU,HACHINOHE,REGULAR,SALES,"
             for n in range({EXTRA_ROWS})]
    hr_import_job_create(uploaded_by=admin, filename=f"fault{{job}}.csv",
                         content=("\\n".join([header, *rows]) + "\\n").encode(), allow_mass_deactivation=True)
print(json.dumps(people))
"""

CHECK_AFTER_RESTART = """
import json
from audit.models import AuditEntry
from django_tasks_db.models import DBTaskResult
from people.models import HRImportJob, Person
from quizzes.models import Attempt
graded = set(AuditEntry.objects.filter(action="quiz.attempt_graded").values_list("target_id", flat=True))
attempts = [
    {"id": str(a.public_id), "status": a.status, "responses": a.responses.count(), "questions": len(a.questions),
      "graded": [a.score_percent is not None, a.correct_count is not None, a.passed is not None,
                 a.submitted_at is not None, str(a.pk) in graded]}
    for a in Attempt.objects.filter(context__startswith="fault-")
]
jobs = [
    {"status": j.status, "people": Person.objects.filter(employee_number__startswith=f"F{n:02d}").count(),
      "applied": AuditEntry.objects.filter(action="hr_import.applied", target_id=str(j.pk)).count()}
    for n, j in enumerate(HRImportJob.objects.order_by("pk"))
]
runs = DBTaskResult.objects.filter(task_path="people.tasks.run_hr_import_job").values_list("worker_ids", flat=True)
print(json.dumps({"attempts": attempts, "jobs": jobs, "runs": sorted(len(w) for w in runs)}))
"""


class Load:
    """Logged-in employees opening the home page and submitting quiz attempts, one thread each.

    Every response is sorted: `ok` (the page asked for, complete), `clean` (a 5xx error page or a
    refused connection), `bad` (anything else: a wrong or broken page, a 4xx, a hang). An attempt
    whose submission failed is submitted again until it goes through.
    """

    def __init__(self, url: str, people: dict):
        self.url, self.people = url, people
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[tuple[float, str, str, str]] = []  # (time, who, kind, what)
        self.submitted: set[str] = set()
        self.failed_once: set[str] = set()
        self.threads = [threading.Thread(target=self.run, args=(email,), daemon=True) for email in people]

    def record(self, who: str, kind: str, what: str) -> None:
        with self.lock:
            self.outcomes.append((time.monotonic(), who, kind, what))

    def count(self, kind: str, since: float = 0.0, who: str | None = None) -> int:
        with self.lock:
            return sum(1 for at, w, k, _ in self.outcomes if k == kind and at >= since and who in (None, w))

    def request(self, who: str, browser, method: str, path: str, expect: str, **kwargs) -> bool:
        try:
            response = browser.request(method, f"{self.url}{path}", allow_redirects=False, timeout=20, **kwargs)
        except requests.ConnectionError:
            self.record(who, "clean", f"{method} {path}: connection refused")
            return False
        except requests.Timeout:
            self.record(who, "bad", f"{method} {path}: no answer in 20 s")
            return False
        if response.status_code >= 500:
            self.record(who, "clean", f"{method} {path}: {response.status_code}")
            return False
        good = (
            response.status_code == 302 and response.headers["Location"].endswith(path)
            if expect == "redirect"
            else response.status_code == 200 and expect in response.text and "</html>" in response.text
        )
        self.record(who, "ok" if good else "bad", f"{method} {path}: {response.status_code}")
        return good

    def run(self, email: str) -> None:
        browser = login(self.url, email)
        person = self.people[email]
        pending = list(person["attempts"])
        while not self.stopping.is_set():
            self.request(email, browser, "GET", "/", person["name"])
            if pending:
                attempt = pending[0]
                path = f"/quizzes/attempts/{attempt['id']}/"
                data = {f"q-{qid}": choices for qid, choices in attempt["answers"].items()}
                # A fresh attempt's form carries sequence 0, and a submission the restart cut off
                # changed nothing, so a retry sends the same page again.
                data.update(action="submit", sequence="0", csrfmiddlewaretoken=browser.cookies.get("csrftoken"))
                headers = {"Referer": f"{self.url}{path}"}
                if self.request(email, browser, "GET", path, QUIZ_TITLE) and self.request(
                    email, browser, "POST", path, "redirect", data=data, headers=headers
                ):
                    with self.lock:
                        self.submitted.add(pending.pop(0)["id"])
                else:
                    with self.lock:
                        self.failed_once.add(attempt["id"])
            self.stopping.wait(0.02)  # pace the loop: errors come back fast while the database is down

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_requests_fail_cleanly_while_postgresql_restarts_and_nothing_is_half_written(cluster, portal_env, processes):
    env = portal_env
    people = shell_json(env, PREPARE_LOAD)
    url = processes.gunicorn("app", env, threads=len(EMPLOYEES))
    load = Load(url, people)
    load.start()
    try:
        import psycopg

        def import_running():
            """One import running and more waiting: if it ends before the restart, the next one is cut off."""
            with psycopg.connect(env["DATABASE_URL"], connect_timeout=5) as conn:
                rows = conn.execute("SELECT status, count(*) FROM people_hrimportjob GROUP BY status").fetchall()
            counts = dict(rows)
            return counts.get("running") and counts.get("pending")

        wait_for(lambda: load.count("ok") >= 20, timeout=60, what="the load to get going")
        processes.worker("w-import", env, "--heartbeat", "0.5", "--interval", "0.2")
        wait_for(import_running, timeout=60, what="an HR import to be running")
        cluster.stop("fast")
        down = time.monotonic()
        wait_for(lambda: load.count("clean", since=down) >= 8, timeout=30, what="requests to fail while it is down")
        cluster.start()
        up = time.monotonic()
        wait_for(lambda: answers(url, "/healthz"), timeout=30, what="the portal to reach the database again")
        # Recovered by itself: every employee's requests succeed again, without restarting anything.
        for email in EMPLOYEES:
            wait_for(lambda e=email: load.count("ok", up, e) >= 6, timeout=60, what=f"{email}'s requests to succeed")
    finally:
        load.stop()
    bad = [what for _, _, kind, what in load.outcomes if kind == "bad"]
    assert not bad, bad
    assert load.failed_once, "no submission failed: the restart came at the wrong moment"
    print(
        f"\n{load.count('ok')} requests answered, {load.count('clean')} failed cleanly during the restart;"
        f" {len(load.submitted)} attempts submitted, {len(load.failed_once)} of them after a failure"
    )

    # The HR imports all finish: one cut off by the restart is run again by the same worker.
    def imports_done():
        jobs = shell_json(env, CHECK_AFTER_RESTART)["jobs"]
        return jobs if all(j["status"] not in ("pending", "running") for j in jobs) else None

    jobs = wait_for(imports_done, timeout=90, what="the HR imports to finish", every=1)
    assert jobs == [{"status": "succeeded", "people": EXTRA_ROWS, "applied": 1}] * IMPORT_JOBS, jobs
    state = shell_json(env, CHECK_AFTER_RESTART)
    assert max(state["runs"]) == 2, state["runs"]  # the one the restart cut off was claimed a second time

    # Every attempt is graded completely or still open and untouched; none the portal confirmed
    # is lost, and those whose submission failed during the outage went through afterwards.
    assert len(state["attempts"]) == len(EMPLOYEES) * ATTEMPTS_EACH
    submitted = set()
    for attempt in state["attempts"]:
        if attempt["status"] == "submitted":
            assert attempt["graded"] == [True] * 5 and attempt["responses"] == attempt["questions"], attempt
            submitted.add(attempt["id"])
        else:
            assert attempt["graded"] == [False] * 5 and attempt["responses"] == 0, attempt
    assert load.submitted | load.failed_once <= submitted
    assert "Audit chain intact" in manage(env, "verify_audit_log")


# --- a worker killed mid-task ---------------------------------------------------------------

RECIPIENTS = 12
KILL_AFTER = 5

ENQUEUE_NOTICES = f"""
import json
from people.models import Person
from whistleblowing.tasks import notify_handlers
ids = list(Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:{RECIPIENTS}])
result = notify_handlers.enqueue(handler_ids=ids, kind="new_case")
emails = list(Person.objects.filter(pk__in=ids).values_list("email", flat=True))
print(json.dumps({{"task": str(result.id), "emails": emails}}))
"""

TASK_STATE = """
import json
from django_tasks_db.models import DBTaskResult
from infrastructure.models import TaskWorker
task = DBTaskResult.objects.get(pk="{task}")
print(json.dumps({{"status": task.status, "workers": task.worker_ids,
    "registered": sorted(TaskWorker.objects.values_list("worker_id", flat=True))}}))
"""


def test_a_task_whose_worker_is_killed_runs_again_and_sends_each_email_once(portal_env, processes):
    env, mail = portal_env, Path(portal_env["EMAIL_FILE_PATH"])
    job = shell_json(env, ENQUEUE_NOTICES)
    assert len(job["emails"]) == RECIPIENTS

    # The first worker's e-mail hangs after KILL_AFTER messages; it is killed there, mid-task.
    first = processes.worker(
        "w-killed",
        {**env, "DJANGO_SETTINGS_MODULE": "tests.deployment.fault_settings", "FAULTS_MAIL_HANG_AFTER": str(KILL_AFTER)},
        "--heartbeat",
        "0.5",
    )
    wait_for(lambda: (mail / "hanging").exists(), timeout=90, what="the first worker to be mid-task")
    processes.stop(first, signal.SIGKILL)
    before = recipients(mail)
    assert len(before) == KILL_AFTER and set(before) <= set(job["emails"])
    state = shell_json(env, TASK_STATE.format(task=job["task"]))
    assert state["status"] == "RUNNING" and state["workers"] == ["w-killed"]  # what django-tasks-db leaves

    processes.worker("w-second", env, "--heartbeat", "0.5")

    def finished():
        state = shell_json(env, TASK_STATE.format(task=job["task"]))
        return state if state["status"] in ("SUCCESSFUL", "FAILED") else None

    state = wait_for(finished, timeout=90, what="the task to run again", every=1)
    assert state["status"] == "SUCCESSFUL", processes.log("w-second")
    assert state["workers"] == ["w-killed", "w-second"]
    assert "w-killed" not in state["registered"]  # the dead worker is forgotten
    sent = Counter(recipients(mail))
    assert sent == Counter(job["emails"]), f"not exactly one e-mail each: {sent}"


# --- Redis down -----------------------------------------------------------------------------

CACHE_WITHOUT_REDIS = """
import json
from django.core.cache import cache
from django.contrib.sessions.backends.cached_db import SessionStore
cache.set("faults", 1)
session = SessionStore()
session["faults"] = "kept"
session.save()
print(json.dumps({"cached": cache.get("faults"), "session": SessionStore(session.session_key).get("faults")}))
"""


def timed_pages(browser: requests.Session, url: str, marker: str, count: int = 15) -> float:
    """Load the home page `count` times; each must be the logged-in page. Returns seconds per page."""
    start = time.monotonic()
    for _ in range(count):
        page = browser.get(f"{url}/", allow_redirects=False, timeout=30)
        assert page.status_code == 200 and marker in page.text, page.status_code
    return (time.monotonic() - start) / count


def test_the_portal_serves_logged_in_pages_while_redis_is_down(portal_env, processes):
    redis = RedisServer(processes)
    redis.start()
    # With the production login rate limits: they take a lock in the cache (cache.add).
    env = {
        **portal_env,
        "REDIS_URL": redis.url,
        "DJANGO_SETTINGS_MODULE": "tests.deployment.fault_settings",
        "FAULTS_RATE_LIMITS": "1",
    }
    url = processes.gunicorn("app", env)
    browser = login(url, "sales@example.jp")
    up = timed_pages(browser, url, "八木")
    assert redis.keys() > 0  # sessions (cached_db) and the cache really live in this Redis

    redis.kill()
    down = timed_pages(browser, url, "八木")
    late = login(url, "cc@example.jp")  # rate limit fails open; the new session goes to the database alone
    assert late.get(f"{url}/", allow_redirects=False, timeout=30).status_code == 200
    # The cache and the session store swallow the errors rather than raise them.
    assert shell_json(env, CACHE_WITHOUT_REDIS) == {"cached": None, "session": "kept"}

    redis.start()  # same port, empty
    again = timed_pages(browser, url, "八木")
    wait_for(lambda: redis.keys() > 0, timeout=30, what="the portal to use Redis again")
    print(f"\nhome page: {up * 1000:.0f} ms with Redis, {down * 1000:.0f} ms without, {again * 1000:.0f} ms after")
