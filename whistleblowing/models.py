"""The hotline's data.

Everything a reporter writes (text, identity, messages, file names and bytes) is stored only
as ciphertext under the report's own key; see `whistleblowing.crypto` for the key layout.
Columns in clear are only those case management needs without decrypting: category, status,
dates and the lookup part of the receipt code. No column holds an IP address, User-Agent or
anything else about the reporter's device.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HandlerDesignation(models.Model):
    """The register of designated handlers (公益通報対応業務従事者).

    Designation is a legal act by the company and takes two people: `designated_by` proposes,
    a different `approved_by` approves (hotline threat model, "Two people designate"). A person
    holds a designation once it is approved and while `revoked_at` is empty. Only designated
    people can hold hotline keys or be given a case.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hotline_designations",
        verbose_name=pgettext_lazy("hotline", "person"),
    )
    designated_on = models.DateField(pgettext_lazy("hotline", "designation date"), default=timezone.localdate)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("hotline", "designated by"),
    )
    approved_at = models.DateTimeField(pgettext_lazy("hotline", "approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("hotline", "approved by"),
    )
    revoked_at = models.DateTimeField(pgettext_lazy("hotline", "revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("hotline", "revoked by"),
    )

    class Meta:
        ordering = ["-designated_on", "-id"]
        verbose_name = pgettext_lazy("hotline", "handler designation")
        verbose_name_plural = _("register of designated handlers")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(revoked_at__isnull=True), name="hotline_one_active_designation"
            )
        ]

    def __str__(self):
        return str(self.person)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.approved_at is not None

    @property
    def is_proposed(self) -> bool:
        return self.revoked_at is None and self.approved_at is None


class HandlerKey(models.Model):
    """A handler's key pair; the private key exists here only encrypted."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hotline_key",
        verbose_name=pgettext_lazy("hotline", "person"),
    )
    public_key = models.BinaryField(pgettext_lazy("hotline", "public key"))
    private_key_box = models.BinaryField(editable=False)
    passphrase_salt = models.BinaryField(editable=False)
    recovery_box = models.BinaryField(editable=False)
    recovery_salt = models.BinaryField(editable=False)
    kdf_opslimit = models.PositiveBigIntegerField(editable=False)
    kdf_memlimit = models.PositiveBigIntegerField(editable=False)
    created_at = models.DateTimeField(pgettext_lazy("hotline", "created at"), default=timezone.now)
    updated_at = models.DateTimeField(pgettext_lazy("hotline", "updated at"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("hotline", "handler key")
        verbose_name_plural = pgettext_lazy("hotline", "handler keys")

    def __str__(self):
        return str(self.person)


class Case(models.Model):
    class Category(models.TextChoices):
        CONDUCT_RULES = "conduct_rules", pgettext_lazy("hotline", "Conduct rules")
        HARASSMENT = "harassment", pgettext_lazy("hotline", "Harassment")
        FRAUD = "fraud", pgettext_lazy("hotline", "Fraud")
        INFORMATION_HANDLING = "information_handling", pgettext_lazy("hotline", "Information handling")
        OTHER = "other", pgettext_lazy("hotline", "Other")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("hotline", "Received")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("hotline", "Acknowledged")
        INVESTIGATING = "investigating", pgettext_lazy("hotline", "Investigating")
        SUBSTANTIATED = "substantiated", pgettext_lazy("hotline", "Substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", pgettext_lazy("hotline", "Not substantiated")
        CLOSED = "closed", pgettext_lazy("hotline", "Closed")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", pgettext_lazy("hotline", "Substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", pgettext_lazy("hotline", "Not substantiated")
        NOT_INVESTIGATED = "not_investigated", pgettext_lazy("hotline", "Closed without investigation")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Receipt code: the lookup part in clear, the rest only as an Argon2id hash.
    lookup = models.CharField(max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(max_length=200, editable=False)
    # The report key wrapped under a key derived from the whole receipt code.
    reporter_salt = models.BinaryField(editable=False)
    reporter_key_box = models.BinaryField(editable=False)
    kdf_opslimit = models.PositiveBigIntegerField(editable=False)
    kdf_memlimit = models.PositiveBigIntegerField(editable=False)

    category = models.CharField(pgettext_lazy("hotline", "category"), max_length=32, choices=Category.choices)
    content_box = models.BinaryField(editable=False)
    identity_box = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        pgettext_lazy("hotline", "status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(pgettext_lazy("hotline", "outcome"), max_length=20, choices=Outcome.choices, blank=True)
    # Rounded down to the hour so the stored time cannot be matched to a network log.
    received_at = models.DateTimeField(pgettext_lazy("hotline", "received"))
    acknowledged_at = models.DateTimeField(pgettext_lazy("hotline", "acknowledged"), null=True, blank=True)
    investigation_notice_at = models.DateTimeField(
        pgettext_lazy("hotline", "notice of investigation"), null=True, blank=True
    )
    feedback_at = models.DateTimeField(pgettext_lazy("hotline", "feedback given"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("hotline", "closed"), null=True, blank=True)
    reporter_updated_at = models.DateTimeField(
        pgettext_lazy("hotline", "reporter added information"), null=True, blank=True
    )
    # Set by the reporter's actions, cleared by the batched notification run: no task or e-mail
    # is created at the moment a reporter acts, so nothing records that moment to the second.
    pending_notice = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = pgettext_lazy("hotline", "hotline case")
        verbose_name_plural = pgettext_lazy("hotline", "hotline cases")
        indexes = [models.Index(fields=["status", "closed_at"])]

    def __str__(self):
        return str(self.public_id)[:8].upper()

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CaseKey(models.Model):
    """The report key sealed to one handler's public key: that handler's access to the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_case_keys")
    sealed_key = models.BinaryField(editable=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("hotline", "case key")
        verbose_name_plural = pgettext_lazy("hotline", "case keys")
        constraints = [models.UniqueConstraint(fields=["case", "handler"], name="hotline_one_key_per_handler")]

    def __str__(self):
        return f"{self.case} → {self.handler_id}"


class ConflictDeclaration(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="declarations")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("hotline", "conflict-of-interest declaration")
        verbose_name_plural = pgettext_lazy("hotline", "conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["case", "handler"], name="hotline_one_declaration")]

    def __str__(self):
        return f"{self.case} / {self.handler_id}"


class IdentityRequest(models.Model):
    """A handler's request to read the reporter's identity, which a second handler must approve.

    The reason is encrypted with the report key; `approved_by` is never the requester.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identity_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason_box = models.BinaryField(editable=False)
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("hotline", "identity request")
        verbose_name_plural = pgettext_lazy("hotline", "identity requests")
        constraints = [
            models.UniqueConstraint(fields=["case", "requested_by"], name="hotline_one_identity_request"),
        ]

    def __str__(self):
        return f"{self.case} / {self.requested_by_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class CaseEntry(models.Model):
    class Kind(models.TextChoices):
        REPORTER = "reporter", pgettext_lazy("hotline", "From the reporter")
        MESSAGE = "message", _("Message to the reporter")
        NOTE = "note", pgettext_lazy("hotline", "Internal note")
        NOTICE = "notice", _("Notice to the reporter")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body_box = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]  # insertion order: reporter times are rounded to the hour
        verbose_name = pgettext_lazy("hotline", "case entry")
        verbose_name_plural = pgettext_lazy("hotline", "case entries")

    def __str__(self):
        return f"{self.case} #{self.pk} {self.kind}"


class CaseFile(models.Model):
    """An attachment; the bytes on disk and the name/type here are ciphertext."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    meta_box = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]  # insertion order: reporter times are rounded to the hour
        verbose_name = pgettext_lazy("hotline", "case file")
        verbose_name_plural = pgettext_lazy("hotline", "case files")

    def __str__(self):
        return str(self.public_id)


class CorrectiveMeasure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    # Description and owner, encrypted with the report key.
    details_box = models.BinaryField(editable=False)
    due_on = models.DateField(pgettext_lazy("hotline", "due date"))
    check_on = models.DateField(pgettext_lazy("hotline", "check date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = pgettext_lazy("hotline", "corrective measure")
        verbose_name_plural = pgettext_lazy("hotline", "corrective measures")

    def __str__(self):
        return f"{self.case} measure #{self.pk}"


class CaseStub(models.Model):
    """What remains of a case after the retention purge: enough for statistics, no free text."""

    received_month = models.DateField(pgettext_lazy("hotline", "month received"))
    category = models.CharField(pgettext_lazy("hotline", "category"), max_length=32, choices=Case.Category.choices)
    outcome = models.CharField(
        pgettext_lazy("hotline", "outcome"), max_length=20, choices=Case.Outcome.choices, blank=True
    )
    purged_at = models.DateTimeField(pgettext_lazy("hotline", "purged at"), default=timezone.now)

    class Meta:
        ordering = ["received_month", "id"]
        verbose_name = pgettext_lazy("hotline", "purged case stub")
        verbose_name_plural = pgettext_lazy("hotline", "purged case stubs")

    def __str__(self):
        return f"{self.received_month:%Y-%m} {self.category} {self.outcome}"


class FollowupThrottle(models.Model):
    """One row: the global count of wrong receipt codes (no per-client state exists)."""

    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("hotline", "follow-up throttle")

    def __str__(self):
        return f"{self.failures} failures"


class IntakeNonce(models.Model):
    """Used intake form tokens, so a resubmitted form does not file the report twice."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.digest[:12]


class ReminderLog(models.Model):
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handler", "sent_on"], name="hotline_one_reminder_a_day")]

    def __str__(self):
        return f"{self.handler_id} {self.sent_on}"


class HandlerNotice(models.Model):
    """An e-mail owed to a handler: written when the hourly batch takes the cases' marks, deleted
    in the transaction that sends it, so a batch cut short sends the rest on its next run.
    No time is kept (hotline threat model: nothing times a report)."""

    handler = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)

    def __str__(self):
        return f"{self.handler_id} {self.kind}"
