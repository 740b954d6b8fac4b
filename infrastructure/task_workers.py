"""Task workers that notice when one of them died, and put its task back in the queue.

django-tasks-db claims a task by marking it RUNNING with the worker's id. If that worker
process is killed (SIGKILL, out of memory, the host lost), nothing ever looks at the task
again. `manage.py task_worker` is `db_worker` plus a heartbeat thread: it keeps a
`TaskWorker` row fresh and, from the same thread, hands the RUNNING tasks of dead workers
back to the queue (`recover_lost_tasks`).

A worker counts as dead when either
- it runs on this machine (same host, boot and PID namespace) and its process is gone: certain,
  so recovery is immediate; or
- its heartbeat is older than `dead_after` (60 s by default) *and* the worker judging it has
  itself been beating without a gap for at least `dead_after`. The heartbeat runs in its own
  thread, so a task that takes hours keeps its worker alive; and after a database outage, when
  every heartbeat is old, nobody is judged until the survivors have had a full period to beat
  again.

It checks that the process lives, not that the task progresses: a task stuck forever in a live
process stays RUNNING (stop that worker; its task is then recovered). A worker wrongly judged
dead (frozen longer than `dead_after`, e.g. a paused VM) would finish its task while another
runs it again: the services' own claims (an HR import job moves from waiting to running once)
and the e-mail records (`infrastructure.mail.send_once`) keep that from doing things twice.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TaskWorker

logger = logging.getLogger("infrastructure.task_workers")

HEARTBEAT_SECONDS = 10.0
DEAD_AFTER_SECONDS = 60.0
# A task whose worker died this many times is failed rather than retried: it may be what kills it.
MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying under it."""


def this_machine() -> str:
    """Who shares our process table: host name, boot id and PID namespace (containers differ)."""
    parts = [socket.gethostname()]
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            parts.append(f.read().strip())
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    except OSError:
        parts.append(f"nopid-{os.getpid()}")  # cannot tell: never judge by PID
    return "/".join(parts)[:255]


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def register(*, worker_id: str) -> None:
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"machine": this_machine(), "pid": os.getpid(), "started_at": Now(), "beat_at": Now()},
    )


def beat(*, worker_id: str) -> None:
    if not TaskWorker.objects.filter(worker_id=worker_id).update(beat_at=Now()):
        # Another worker judged us dead (we were frozen longer than dead_after) and may be
        # running our task again; say so and carry on beating.
        logger.error("Task worker %s had been declared dead; registering again.", worker_id)
        register(worker_id=worker_id)


def unregister(*, worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def recover_lost_tasks(
    *, dead_after: float | None = DEAD_AFTER_SECONDS, worker_ids: list[str] | None = None, me: str = ""
) -> list[str]:
    """Put the RUNNING tasks of dead workers back to READY (or FAILED after MAX_ATTEMPTS).

    Dead are: workers on this machine whose process is gone, workers whose heartbeat is older
    than `dead_after` seconds (None: do not judge by age), and `worker_ids` (an operator's
    word). Returns the ids of the tasks put back or failed.
    """
    machine = this_machine()
    with transaction.atomic():
        rows = TaskWorker.objects.select_for_update(skip_locked=True).exclude(worker_id=me)
        dead = set(worker_ids or [])
        for row in rows.filter(machine=machine).only("worker_id", "pid"):
            if _process_gone(row.pid):
                dead.add(row.worker_id)
        if dead_after is not None:
            cutoff = Now() - datetime.timedelta(seconds=dead_after)
            dead.update(rows.filter(beat_at__lt=cutoff).values_list("worker_id", flat=True))
        if not dead:
            return []
        recovered = []
        # Few tasks run at once, so this reads them all rather than query inside the JSON list.
        for task in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            if not task.worker_ids or task.worker_ids[-1] not in dead:
                continue
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = f"WorkerLost: workers {task.worker_ids} died while running this task."
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                logger.error("Task %s failed: %d workers died running it.", task.pk, len(task.worker_ids))
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                logger.warning("Task %s of dead worker %s is back in the queue.", task.pk, task.worker_ids[-1])
            recovered.append(str(task.pk))
        TaskWorker.objects.filter(worker_id__in=dead).exclude(worker_id=me).delete()
    return recovered


class Heartbeat(threading.Thread):
    """Beats every `interval` seconds and recovers dead workers' tasks, beside the worker's own loop."""

    def __init__(self, *, worker_id: str, interval: float = HEARTBEAT_SECONDS, dead_after: float = DEAD_AFTER_SECONDS):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.dead_after = dead_after
        self.stopping = threading.Event()

    def run(self) -> None:
        healthy_since: float | None = None
        while True:
            try:
                beat(worker_id=self.worker_id)
                if healthy_since is None:
                    healthy_since = time.monotonic()
                # Judge by age only after beating without a gap for a whole period (see the module doc).
                trusted = time.monotonic() - healthy_since >= self.dead_after
                recover_lost_tasks(dead_after=self.dead_after if trusted else None, me=self.worker_id)
            except (DatabaseError, InterfaceError):
                healthy_since = None
                logger.warning("Task worker %s: heartbeat failed; database unreachable?", self.worker_id)
            finally:
                connection.close()  # this thread's own connection; a fresh one each beat survives restarts
            if self.stopping.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 5)


def requeue_if_database_lost(sender, task_result, **kwargs) -> None:
    """A task that failed because the database went away under it (a restart, a failover) did
    not fail on its own account: put it back in the queue, as if its worker had died, so its
    next attempt takes the work over (MAX_ATTEMPTS applies). Connected by `task_worker`.

    Without this, a task whose query hit a restarting database was marked FAILED whenever the
    database was back in time to record the failure, and its job stayed "running" for ever."""
    if task_result.status != TaskResultStatus.FAILED or not task_result.errors:
        return
    try:
        lost = issubclass(task_result.errors[-1].exception_class, (OperationalError, InterfaceError))
    except (ImportError, ValueError):
        return
    if not lost or len(task_result.worker_ids) >= MAX_ATTEMPTS:
        return
    try:
        requeued = DBTaskResult.objects.filter(pk=task_result.id, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, started_at=None, finished_at=None, exception_class_path="", traceback=""
        )
    except DatabaseError:
        logger.exception("Task %s lost the database and could not be put back in the queue.", task_result.id)
        return
    if requeued:
        logger.warning("Task %s lost the database; it is back in the queue.", task_result.id)
