"""Faults the production topology must survive (docs/deployment.md, "Faults and recovery").

- PostgreSQL restarted under load: requests fail cleanly while it is down, the portal recovers
  without a restart, and no quiz attempt, HR import or audit entry is left half-written.
- A task worker killed in the middle of a task: another worker runs it again and nobody gets an
  e-mail twice.
- Redis down: logged-in pages are still served (slower), and Redis is used again once it is back.

The tests start their own PostgreSQL cluster and Redis (never the shared ones), app servers and
task workers, and stop them all in finalisers. They run in CI's PostgreSQL pass (the production
database; the cluster they start is their own, so they do not need the suite's DATABASE_URL).
"""

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from .hanging_mail import recipients
from .servers import PostgresCluster, Processes, RedisServer, login, manage, wait_for

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
from portal.models import TaskWorker
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
    env = {**portal_env, "REDIS_URL": redis.url}
    url = processes.gunicorn("app", env)
    browser = login(url, "sales@example.jp")
    up = timed_pages(browser, url, "八木")
    assert redis.keys() > 0  # sessions (cached_db) and the cache really live in this Redis

    redis.kill()
    down = timed_pages(browser, url, "八木")
    late = login(url, "cc@example.jp")  # logging in writes a session: it goes to the database alone
    assert late.get(f"{url}/", allow_redirects=False, timeout=30).status_code == 200
    # The cache and the session store swallow the errors rather than raise them.
    assert shell_json(env, CACHE_WITHOUT_REDIS) == {"cached": None, "session": "kept"}

    redis.start()  # same port, empty
    again = timed_pages(browser, url, "八木")
    wait_for(lambda: redis.keys() > 0, timeout=30, what="the portal to use Redis again")
    print(f"\nhome page: {up * 1000:.0f} ms with Redis, {down * 1000:.0f} ms without, {again * 1000:.0f} ms after")
