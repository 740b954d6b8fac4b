"""Access monitoring: the grid company's access logs joined to the HR data.

The grid systems export who looked at which customer record, from which terminal. The portal
imports those files, maps each system user id to a person through the id register, and runs
rules that flag what the unbundling rules forbid. A finding is a case for compliance auditors
only (`roles.COMPLIANCE_AUDITORS`); the superuser flag opens nothing here.

The customer's record number is never stored: an event keeps a keyed hash of it (`record_key`),
enough to count distinct records and to match a record across systems, not to look one up.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class System(models.TextChoices):
    """The grid company's systems whose logs are imported (SUMMARY.md: 託送, 実績統計, イントラ)."""

    CUSTOMER_INFO = "customer_info", _("Wheeling customer information system")
    RECORD_STATISTICS = "record_statistics", _("Record statistics system")
    GRID_INTRANET = "grid_intranet", _("Grid information intranet")


class LogSource(models.Model):
    """How one system's export file reads: its columns, encoding, time zone and flags.

    `columns` maps the portal's field names to the file's column headers:
    `account` (system user id), `at` (time), `terminal`, `record_type`, `record` (customer record
    number) and `new_entrant` (whether the record is a new-entrant retailer's customer). `account`
    and `at` are required; the others may be absent from a system's export.
    """

    class Encoding(models.TextChoices):
        CP932 = "cp932", "Shift_JIS (cp932)"
        UTF8 = "utf-8-sig", "UTF-8"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    system = models.CharField(_("system"), max_length=32, choices=System.choices)
    encoding = models.CharField(_("encoding"), max_length=16, choices=Encoding.choices, default=Encoding.CP932)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    time_format = models.CharField(_("time format"), max_length=64, default="%Y-%m-%d %H:%M:%S")
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    columns = models.JSONField(_("column mapping"), default=dict)
    new_entrant_values = models.JSONField(
        _("values meaning a new entrant's customer"), default=list, blank=True, help_text=_("For example 1, Y, 新電力")
    )
    non_public_record_types = models.JSONField(
        _("record types holding non-public grid information"),
        default=list,
        blank=True,
        help_text=_("Empty: every record of this system is non-public."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("log source")
        verbose_name_plural = _("log sources")

    def __str__(self):
        return self.name


class SystemAccount(models.Model):
    """The id register: which person holds (or held) a user id of a grid system.

    Kept from the HR data (grid staff's accounts) and from transfers: when a holder moves to the
    retailer, `holder_moved_on` is set, and their transfer checklist's confirmation sets
    `removal_due_on`. Any use after either date is a finding.
    """

    class Origin(models.TextChoices):
        HR = "hr", _("HR data")
        TRANSFER = "transfer", _("Transfer checklist")
        MANUAL = "manual", _("Entered by an auditor")

    system = models.CharField(_("system"), max_length=32, choices=System.choices)
    account_id = models.CharField(_("system user id"), max_length=64)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="system_accounts",
        verbose_name=_("holder"),
    )
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.HR)
    holder_moved_on = models.DateField(_("holder moved to the retailer on"), null=True, blank=True)
    removal_due_on = models.DateField(_("to be removed by"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["system", "account_id"]
        verbose_name = _("system account")
        verbose_name_plural = _("system accounts")
        constraints = [models.UniqueConstraint(fields=["system", "account_id"], name="one_register_entry_per_id")]

    def __str__(self):
        return f"{self.get_system_display()}: {self.account_id}"


class Terminal(models.Model):
    """A terminal that appears in the logs; shared offices are where separation was incomplete (八戸)."""

    code = models.CharField(_("terminal"), max_length=64, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    is_shared_office = models.BooleanField(
        _("in an office shared with the retailer"), default=False, help_text=_("Views from here are flagged.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self):
        return self.code


class ContractPurpose(models.Model):
    """What a contractor company's staff may look at under its contract, and when."""

    company = models.ForeignKey(
        "people.Company", on_delete=models.PROTECT, related_name="contract_purposes", verbose_name=_("contractor")
    )
    name = models.CharField(_("purpose"), max_length=200)
    systems = models.JSONField(_("systems"), default=list)
    allowed_record_types = models.JSONField(_("record types allowed"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["company", "valid_from"]
        verbose_name = _("contract purpose")
        verbose_name_plural = _("contract purposes")

    def __str__(self):
        return f"{self.company}: {self.name}"

    @property
    def system_labels(self) -> list[str]:
        labels = dict(System.choices)
        return [labels.get(system, system) for system in self.systems]


class LogImport(models.Model):
    """One access-log file, uploaded in the portal or dropped for the command; imported once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    class Via(models.TextChoices):
        UPLOAD = "upload", _("Upload")
        COMMAND = "command", _("Scheduled drop")

    source = models.ForeignKey(LogSource, on_delete=models.PROTECT, related_name="imports", verbose_name=_("source"))
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    via = models.CharField(_("via"), max_length=16, choices=Via.choices, default=Via.UPLOAD)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_added = models.PositiveIntegerField(_("rows added"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("rows already imported"), default=0)
    # [{"line": 12, "code": "bad_time", "params": {...}}]: worded when read (import_errors)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    findings_created = models.PositiveIntegerField(_("new findings"), default=0)
    # An upload waiting for the task worker keeps its file here; emptied once imported.
    content = models.BinaryField(editable=False, default=b"")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("log import")
        verbose_name_plural = _("log imports")
        constraints = [models.UniqueConstraint(fields=["source", "sha256"], name="import_a_file_once")]

    def __str__(self):
        return self.filename


class AccessEvent(models.Model):
    """One line of an access log: someone looked at a record. Never edited after import."""

    # No index of their own for the three foreign keys: the indexes below begin with each of them
    # already, and every extra index slows the import of a million rows.
    source = models.ForeignKey(
        LogSource, on_delete=models.PROTECT, related_name="events", verbose_name=_("source"), db_index=False
    )
    log_import = models.ForeignKey(
        LogImport, on_delete=models.PROTECT, related_name="events", verbose_name=_("import"), db_index=False
    )
    line = models.PositiveIntegerField(_("line"))
    account_id = models.CharField(_("system user id"), max_length=64)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("time"))
    terminal = models.CharField(_("terminal"), max_length=64, blank=True)
    record_type = models.CharField(_("record type"), max_length=64, blank=True)
    record_key = models.CharField(_("record (keyed hash)"), max_length=64, blank=True)
    concerns_new_entrant = models.BooleanField(_("new entrant's customer"), default=False)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        constraints = [models.UniqueConstraint(fields=["source", "row_hash"], name="import_a_row_once")]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="event_person_time"),
            models.Index(fields=["account_id", "occurred_at"], name="event_account_time"),
            models.Index(fields=["log_import"], name="event_import"),
            # The rules read whole days; an import checks which times its source already covers.
            models.Index(fields=["occurred_at"], name="event_time"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class Rule(models.Model):
    """One detection rule; compliance auditors switch rules on and off and tune their figures."""

    class Kind(models.TextChoices):
        RETAIL_VIEWS_NON_PUBLIC = "retail_views_non_public", _("Retail staff viewing non-public grid information")
        ID_AFTER_MOVE = "id_after_move", _("A grid id used after its holder moved or after its removal date")
        SHARED_TERMINAL = "shared_terminal", _("Views from a terminal in an office shared with the retailer")
        BURST = "burst", _("Many records in a short time")
        CONTRACTOR_PURPOSE = "contractor_purpose", _("Contractor staff outside their contract's purpose")

    kind = models.CharField(_("rule"), max_length=32, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("on"), default=True)
    params = models.JSONField(_("figures"), default=dict, blank=True)  # burst: {"records": 100, "minutes": 60}
    description = models.TextField(_("what it flags"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self):
        return self.get_kind_display()


class Finding(models.Model):
    """What a rule flagged for one id on one day: a case for the compliance auditors."""

    class Status(models.TextChoices):
        OPEN = "open", _("New")
        INVESTIGATING = "investigating", _("Under investigation")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        EXPLAINED = "explained", _("Explained")
        TRAINING_ASSIGNED = "training_assigned", _("Training assigned")
        DISCIPLINE = "discipline", _("Referred to discipline")
        FALSE_POSITIVE = "false_positive", _("False positive")

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="findings", verbose_name=_("rule"))
    system = models.CharField(_("system"), max_length=32, choices=System.choices)
    account_id = models.CharField(_("system user id"), max_length=64)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        "people.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    # One finding per rule, system, id and day: rules re-run over the same events find it again.
    key = models.CharField(max_length=200, unique=True)
    on_date = models.DateField(_("day"))
    first_at = models.DateTimeField(_("first view"))
    last_at = models.DateTimeField(_("last view"))
    event_count = models.PositiveIntegerField(_("views"), default=0)
    record_count = models.PositiveIntegerField(_("records"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-on_date", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["status", "on_date"], name="finding_status_day"),
            models.Index(fields=["person", "on_date"], name="finding_person_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False, outcome__gt="")
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="finding_closed_with_outcome",
            )
        ]

    def __str__(self):
        return f"{self.rule} · {self.account_id} · {self.on_date}"


class FindingNote(models.Model):
    """An auditor's note on a finding; kept, never edited."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="notes", verbose_name=_("finding"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return f"{self.finding_id} · {self.created_at:%Y-%m-%d}"
