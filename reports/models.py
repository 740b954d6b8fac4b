"""What the reports app keeps: issued regulator reports (unchanged, with their hash) and export jobs."""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infrastructure.storage import PrivateMediaStorage


class PrivateReportStorage(PrivateMediaStorage):
    """Finished exports: served only through the view that checks who asks."""

    subfolder = "reports"


def export_upload_to(instance, filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}{Path(filename).suffix}"


class IssuedReport(models.Model):
    """A regulator progress report as issued: the PDF bytes are kept so it can be shown unchanged later."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued regulator report")
        verbose_name_plural = _("issued regulator reports")

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} ({self.sha256[:12]})"

    @property
    def filename(self) -> str:
        return f"regulator-report-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}-{self.pk}.pdf"

    def hash_matches(self) -> bool:
        return hashlib.sha256(bytes(self.pdf)).hexdigest() == self.sha256


class ExportJob(models.Model):
    """Every export: run by the task worker, watched on its status page, stored with its SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Did not finish")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    table = models.CharField(_("table"), max_length=32)
    fmt = models.CharField(_("format"), max_length=8)
    # The scope as the view resolved it (unit path prefixes, cycle), never re-derived later.
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    processed = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(storage=PrivateReportStorage(), upload_to=export_upload_to, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # Of the stored file's bytes: the download carries it (X-Content-SHA256), so a copy can be checked.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_default="", default="")
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.table}.{self.fmt} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


# An assignment tally row's key, in the order the triggers (migration 0003) and `tallies.check` use.
TALLY_KEY = (
    "cycle",
    "module_id",
    "unit_id",
    "company_id",
    "employment_type_id",
    "status",
    "archived",
    "cycle_ended",
    "person_active",
    "due_at",
    "completed_month",
)


class AssignmentTally(models.Model):
    """How many assignments share one key: the dashboard's main GROUP BY, kept ready on PostgreSQL.

    Written only by the database's triggers on `training_assignment` and `people_person`
    (migration 0003), read by `reports/tallies.py`. Plain integer columns rather than foreign
    keys: a tally row never blocks deleting a unit, company or module.
    """

    cycle = models.CharField(max_length=16)
    archived = models.BooleanField()  # archived_at IS NOT NULL
    cycle_ended = models.BooleanField()  # archive_reason = 'cycle_ended'
    person_active = models.BooleanField()
    unit_id = models.BigIntegerField(null=True)
    company_id = models.BigIntegerField(null=True)
    employment_type_id = models.BigIntegerField(null=True)
    module_id = models.BigIntegerField()
    status = models.CharField(max_length=16)
    # The due date of an assignment still to do ("overdue" is decided when read), else NULL.
    due_at = models.DateTimeField(null=True)
    # The first day of the Japan-time month of a completion, else NULL.
    completed_month = models.DateField(null=True)
    n = models.BigIntegerField()

    class Meta:
        required_db_vendor = "postgresql"
        # Says so to Django's checks too (its key needs NULLs equal), so SQLite does not warn.
        required_db_features = {"supports_nulls_distinct_unique_constraints"}
        constraints = [
            models.UniqueConstraint(
                fields=list(TALLY_KEY),
                nulls_distinct=False,
                name="assignment_tally_key",
            )
        ]

    def __str__(self):
        return f"{self.cycle} · {self.module_id} · {self.status}: {self.n}"
