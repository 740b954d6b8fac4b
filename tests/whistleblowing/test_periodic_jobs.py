"""Issue 14 item 14 and its Build bullet: the periodic jobs (hotline notices, reminders, purge,
training reminders, audit checkpoints) run from one documented scheduler process, which
`make run` starts with the portal; not from cron lines in the docs."""

import re
from pathlib import Path

from django.conf import settings

from infrastructure.scheduler import configured_jobs

ROOT = Path(settings.BASE_DIR)
JOBS = ("hotline_notify", "hotline_reminders", "hotline_purge", "send_training_reminders", "audit_checkpoint")


def test_the_scheduler_runs_every_periodic_job():
    assert set(JOBS) <= {job.command for job in configured_jobs()}


def test_make_run_starts_the_scheduler_with_the_portal():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "no run target"
    assert re.search(r"manage\.py scheduler\b", recipe.group(1)), recipe.group(1)
    assert re.search(r"manage\.py runserver\b", recipe.group(1))


def test_deployment_docs_name_the_scheduler_process_and_its_jobs_not_cron_lines():
    docs = (ROOT / "docs" / "deployment.md").read_text()
    assert "manage.py scheduler" in docs
    for job in JOBS:
        assert job in docs, job
    assert not re.search(r"^\s*(\S+\s+){5}.*manage\.py (hotline_|send_training|audit_checkpoint)", docs, re.MULTILINE)
