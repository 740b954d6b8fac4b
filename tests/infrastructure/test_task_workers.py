"""Recovery of tasks whose worker died (infrastructure/task_workers.py), e-mail sent once per key (.../mail.py)."""

import datetime
import os
import subprocess
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infrastructure import task_workers
from infrastructure.mail import send_once
from infrastructure.models import TaskWorker

pytestmark = pytest.mark.django_db


def running_task(*worker_ids: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="training.tasks.send_reminders",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
        worker_ids=list(worker_ids),
    )


def worker(worker_id: str, *, pid: int | None = None, machine: str | None = None, age: float = 0) -> TaskWorker:
    beat = timezone.now() - datetime.timedelta(seconds=age)
    return TaskWorker.objects.create(
        worker_id=worker_id,
        machine=machine or task_workers.this_machine(),
        pid=pid or os.getpid(),
        started_at=beat,
        beat_at=beat,
    )


def dead_pid() -> int:
    done = subprocess.Popen(["true"])  # noqa: S607
    done.wait(timeout=10)
    return done.pid


def test_the_task_of_a_worker_whose_process_is_gone_goes_back_to_the_queue():
    worker("gone", pid=dead_pid())
    task = running_task("gone")
    assert task_workers.recover_lost_tasks(dead_after=None) == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == "READY" and task.started_at is None and task.worker_ids == ["gone"]
    assert not TaskWorker.objects.filter(worker_id="gone").exists()


def test_a_live_worker_keeps_its_task_however_long_it_runs():
    worker("alive", pid=os.getpid())  # this very process
    task = running_task("alive")
    assert task_workers.recover_lost_tasks(dead_after=60) == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_worker_elsewhere_is_dead_only_once_its_heartbeat_is_older_than_the_limit():
    worker("fresh", machine="other-host", age=5)
    worker("silent", machine="other-host", age=120)
    fresh, silent = running_task("fresh"), running_task("silent")
    assert task_workers.recover_lost_tasks(dead_after=None) == []  # not trusted to judge by age yet
    assert task_workers.recover_lost_tasks(dead_after=60) == [str(silent.pk)]
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def test_a_task_whose_workers_keep_dying_fails_instead_of_looping():
    task = running_task(*[f"w{n}" for n in range(task_workers.MAX_ATTEMPTS)])
    assert task_workers.recover_lost_tasks(dead_after=None, worker_ids=[f"w{task_workers.MAX_ATTEMPTS - 1}"])
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == "infrastructure.task_workers.WorkerLost"


def failed_task(exception_class_path: str, *worker_ids: str) -> DBTaskResult:
    task = running_task(*worker_ids)
    task.status = "FAILED"
    task.finished_at = timezone.now()
    task.exception_class_path = exception_class_path
    task.traceback = "…"
    task.save()
    return task


@pytest.mark.parametrize(
    ("exception", "workers", "requeued"),
    [
        ("django.db.utils.OperationalError", ["w1"], True),  # the database went away under the task
        ("django.db.utils.InterfaceError", ["w1", "w2"], True),
        ("django.db.utils.OperationalError", ["w1", "w2", "w3"], False),  # MAX_ATTEMPTS reached
        ("django.db.utils.IntegrityError", ["w1"], False),  # the task's own fault
        ("builtins.ValueError", ["w1"], False),
    ],
)
def test_a_task_that_lost_the_database_goes_back_to_the_queue(exception, workers, requeued):
    task = failed_task(exception, *workers)
    # What django-tasks sends with task_finished (the test settings' backend cannot rebuild it).
    error = SimpleNamespace(exception_class=import_string(exception))
    result = SimpleNamespace(id=task.pk, status=TaskResultStatus.FAILED, errors=[error], worker_ids=workers)
    task_workers.requeue_if_database_lost(sender=None, task_result=result)
    task.refresh_from_db()
    assert task.status == ("READY" if requeued else "FAILED")


def test_an_email_is_sent_once_per_key_and_again_after_a_failed_send():
    def send():
        mail.send_mail("subject", "body", None, ["someone@example.jp"])

    def fail():
        raise ConnectionRefusedError

    with pytest.raises(ConnectionRefusedError):
        send_once(key="k", send=fail)
    assert send_once(key="k", send=send) is True  # the failed attempt left no record
    assert send_once(key="k", send=send) is False
    assert len(mail.outbox) == 1
