"""The rows the platform keeps: live task workers, e-mails sent once, periodic job slots."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskWorker(models.Model):
    """A running `manage.py task_worker`, so the others can tell when it died (infrastructure/task_workers.py)."""

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    # Host name, boot and PID namespace: two workers with the same value see the same process table.
    machine = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self):
        return f"{self.worker_id} ({self.machine} pid {self.pid})"


class SentMail(models.Model):
    """One e-mail that has gone out, by a key its sender chooses, so a task run again sends it once.

    Only the day is kept: a hotline notice must not be timed to the second (hotline threat model).
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")

    def __str__(self):
        return self.key


class PeriodicJobRun(models.Model):
    """One slot of a periodic job, claimed by the scheduler that runs it (infrastructure/scheduler.py).

    The unique (job, slot) pair is the lock: of two schedulers reaching the same slot, only the
    one whose insert succeeds runs the job.
    """

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="portal_periodic_job_slot_once")]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
