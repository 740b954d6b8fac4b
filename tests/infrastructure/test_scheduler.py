"""Issue 14: the periodic jobs run from one scheduler process, each slot once however many run."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command, get_commands

from infrastructure.models import PeriodicJobRun
from infrastructure.scheduler import Job, configured_jobs, run_due

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


def test_every_periodic_job_is_configured_and_exists():
    names = {job.command for job in configured_jobs()}
    assert {
        "hotline_notify",
        "hotline_reminders",
        "hotline_purge",
        "send_training_reminders",
        "sync_training_assignments",
        "audit_checkpoint",
    } <= names
    assert names <= set(get_commands())


def test_slots_are_local_wall_clock_times():
    daily = Job(command="send_training_reminders", every=86400, at=7 * 3600)
    hourly = Job(command="hotline_notify", every=3600)
    assert daily.slot(datetime.datetime(2026, 12, 4, 6, 59, tzinfo=JST)) == datetime.datetime(
        2026, 12, 3, 7, tzinfo=JST
    )
    assert daily.slot(datetime.datetime(2026, 12, 4, 7, 0, tzinfo=JST)) == datetime.datetime(2026, 12, 4, 7, tzinfo=JST)
    assert hourly.slot(datetime.datetime(2026, 12, 4, 10, 59, 59, tzinfo=JST)) == datetime.datetime(
        2026, 12, 4, 10, tzinfo=JST
    )


def test_all_configured_jobs_run_once_per_slot(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_SIGNING_KEY_FILE = ""
    settings.AUDIT_CHECKPOINT_VERIFY_KEY = ""
    now = datetime.datetime(2026, 12, 4, 10, 30, tzinfo=JST)
    first = run_due(now=now)
    assert sorted(first) == sorted(job.name for job in configured_jobs())
    assert all(run.succeeded for run in PeriodicJobRun.objects.all()), [
        (run.job, run.output) for run in PeriodicJobRun.objects.filter(succeeded=False)
    ]
    # A second scheduler (or the same one a moment later) finds every slot taken.
    assert run_due(now=now + datetime.timedelta(minutes=20)) == []
    # The next hour's slot of the hourly jobs runs; the daily ones wait for tomorrow.
    assert sorted(run_due(now=now + datetime.timedelta(hours=1))) == ["audit_checkpoint", "hotline_notify"]


def test_a_slot_claimed_by_another_scheduler_is_skipped(monkeypatch):
    job = Job(command="hotline_notify", every=3600)
    now = datetime.datetime(2026, 12, 4, 10, 30, tzinfo=JST)
    PeriodicJobRun.objects.create(job=job.name, slot=job.slot(now), started_at=now)
    called = []
    monkeypatch.setattr("infrastructure.scheduler.call_command", lambda *a, **k: called.append(a))
    assert run_due(jobs=[job], now=now) == []
    assert called == []


def test_a_failing_job_is_recorded_and_the_others_still_run():
    now = datetime.datetime(2026, 12, 4, 10, 30, tzinfo=JST)
    jobs = [Job(command="no_such_command_anywhere", every=3600), Job(command="hotline_notify", every=3600)]
    assert run_due(jobs=jobs, now=now) == ["no_such_command_anywhere", "hotline_notify"]
    runs = {run.job: run.succeeded for run in PeriodicJobRun.objects.all()}
    assert runs == {"no_such_command_anywhere": False, "hotline_notify": True}


def test_the_scheduler_command_runs_due_jobs_once(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.PORTAL_PERIODIC_JOBS = [{"command": "hotline_notify", "every": 3600}]
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "ran: hotline_notify" in out.getvalue()
    assert PeriodicJobRun.objects.filter(job="hotline_notify", succeeded=True).count() == 1
