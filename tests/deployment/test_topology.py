"""The production topology (SPEC §3): two stateless app servers, one PostgreSQL, Redis, two task workers.

A person logged in through one server keeps their session on the other, and a task is run by
exactly one worker. PostgreSQL and Redis only; the suite's PostgreSQL run (.ci/run) covers it.
"""

import json
import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from .servers import Processes, login, manage

pytestmark = pytest.mark.postgres

HR_FILE = (
    "社員番号,メールアドレス,姓,名,会社コード,所属コード,雇用区分,職務,上長社員番号\n"
    "T{n:04d},topo{n}@example.jp,試験,太郎,MICHINOKU,HACHINOHE,REGULAR,SALES,\n"
)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    import psycopg

    base = os.environ["DATABASE_URL"]
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + "_topology"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "PORTAL_TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }

    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "-c", "from io import StringIO; from portal.demo import load; load(StringIO())")
    manage(env, "shell", "-c", "from io import StringIO; from people.demo import load; load(StringIO())")
    logs = tmp_path_factory.mktemp("logs")
    processes = Processes(logs)
    try:
        urls = [processes.gunicorn(f"app{i}", env) for i in range(2)]
        yield {"urls": urls, "env": env, "manage": lambda *args: manage(env, *args), "processes": processes}
    finally:
        processes.stop_all()


def test_a_session_started_on_one_server_works_on_the_other(topology):
    server_a, server_b = topology["urls"]
    browser = login(server_a, "sales@example.jp")
    home_on_b = browser.get(f"{server_b}/", allow_redirects=False)
    assert home_on_b.status_code == 200
    assert "八木" in home_on_b.text
    browser.post(
        f"{server_b}/accounts/logout/",
        data={"csrfmiddlewaretoken": browser.cookies.get("csrftoken")},
        headers={"Referer": f"{server_b}/"},
    )
    assert browser.get(f"{server_a}/", allow_redirects=False).status_code == 302  # logged out everywhere


def test_each_task_runs_on_exactly_one_of_two_workers(topology):
    manage, env = topology["manage"], topology["env"]
    jobs = 12
    manage(
        "shell",
        "-c",
        (
            "from people.models import Person\n"
            "from people.services import hr_import_job_create\n"
            "from django.db import transaction\n"
            "admin = Person.objects.get(email='admin@example.jp')\n"
            f"for n in range({jobs}):\n"
            f"    content = {HR_FILE!r}.format(n=n).encode()\n"
            "    hr_import_job_create(uploaded_by=admin, filename=f'job{n}.csv', content=content,"
            " allow_mass_deactivation=True)\n"
        ),
    )
    workers = [topology["processes"].worker(f"w{i}", env, "--batch", "--interval", "0.1") for i in range(2)]
    for worker in workers:
        worker.wait(timeout=240)
    script = (
        "import json\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "from audit.models import AuditEntry\n"
        "rows = list(DBTaskResult.objects.filter(task_path='people.tasks.run_hr_import_job')"
        ".values_list('status', 'worker_ids'))\n"
        "print(json.dumps({'tasks': len(rows), 'statuses': sorted({s for s, _ in rows}),"
        " 'runs': [len(w) for _, w in rows], 'workers': sorted({w[0] for _, w in rows if w}),"
        " 'applied': AuditEntry.objects.filter(action='hr_import.applied').count()}))\n"
    )
    report = json.loads(manage("shell", "-c", script).strip().splitlines()[-1])
    assert report["tasks"] == jobs
    assert report["statuses"] == ["SUCCESSFUL"]
    assert report["runs"] == [1] * jobs  # each task picked up by one worker, once
    assert report["applied"] == jobs  # and each import applied exactly once
    assert set(report["workers"]) <= {"w0", "w1"}
