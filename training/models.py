"""Training: module pages editors publish, and the assignments, progress and certificates of each person.

Module content is a Wagtail page (lessons in a StreamField; each lesson's stream-child id is its
stable key). Everything that happens to a person is a plain model, written by `training.services`.
"""

import datetime as dt
import hashlib
from types import ModuleType

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from people.roles import COMPLIANCE_EDITORS, TRAINING_ADMINISTRATORS
from portal.blocks import RICH_TEXT_FEATURES
from portal.serving import ViewRestrictionsReadOnce

from .blocks import LessonBlock
from .dates import (
    ONE_OFF_CYCLE,
    cycle_label,
    end_of_day_jst,
    fiscal_cycle,
    fiscal_year_bounds,
    fiscal_year_of,
    local_date,
    today_jst,
)


class AudienceFields(models.Model):
    """Who must take something: everyone, or people matching every criterion that is filled in.

    Within one criterion any match counts (e.g. either of two units); across criteria all must
    hold (e.g. "call centre" and "regular staff"). Units include their sub-units.
    """

    audience_everyone = models.BooleanField(_("everyone"), default=False)

    class Meta:
        abstract = True

    def audience_people(self):
        """Active people in the audience, as one queryset (no per-person queries)."""
        from people.models import Person

        people = Person.objects.filter(is_active=True)
        if self.audience_everyone:
            return people
        unit_paths = list(self.audience_units.values_list("path", flat=True))
        etypes = list(self.audience_employment_types.values_list("pk", flat=True))
        roles = list(self.audience_job_roles.values_list("pk", flat=True))
        if not (unit_paths or etypes or roles):
            return people.none()
        if unit_paths:
            in_units = Q()
            for unit_path in unit_paths:
                in_units |= Q(unit__path__startswith=unit_path)
            people = people.filter(in_units)
        if etypes:
            people = people.filter(employment_type_id__in=etypes)
        if roles:
            through = Person.job_roles.through
            people = people.filter(Exists(through.objects.filter(person_id=OuterRef("pk"), jobrole_id__in=roles)))
        return people

    def audience_includes(self, person) -> bool:
        return bool(person.is_authenticated) and self.audience_people().filter(pk=person.pk).exists()


class TrainingIndexPage(ViewRestrictionsReadOnce, Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["training.TrainingModulePage"]
    max_count = 1

    class Meta:
        verbose_name = _("training index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = TrainingModulePage.visible_to(request.user)
        return context


def sees_every_module(person) -> bool:
    """Compliance editors and training administrators see every module, whoever its audience."""
    return person.is_authenticated and (person.in_group(COMPLIANCE_EDITORS) or person.in_group(TRAINING_ADMINISTRATORS))


class TrainingModulePage(ViewRestrictionsReadOnce, RoutablePageMixin, AudienceFields, Page):
    """A training module: lessons, an optional quiz, who must take it, how often and by when.

    Deliberately not part of site search: people outside the audience must not find it.
    """

    class Cycle(models.TextChoices):
        ANNUAL = "annual", _("Every fiscal year (April–March)")
        ONCE = "once", _("Once")

    class DueRule(models.TextChoices):
        FIXED = "fixed", _("Fixed date")
        DAYS_AFTER = "days_after", _("Days after assignment (or transfer)")

    summary = models.TextField(_("summary"), help_text=_("Shown in lists and on the certificate page."))
    lessons = StreamField([("lesson", LessonBlock())], verbose_name=_("lessons"))
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_modules",
        verbose_name=_("quiz"),
        help_text=_("If set, the module is complete only when this quiz is passed."),
    )
    audience_units = ParentalManyToManyField(
        "people.Unit", blank=True, related_name="training_modules", verbose_name=_("units (with sub-units)")
    )
    audience_employment_types = ParentalManyToManyField(
        "people.EmploymentType", blank=True, related_name="training_modules", verbose_name=_("employment types")
    )
    audience_job_roles = ParentalManyToManyField(
        "people.JobRole", blank=True, related_name="training_modules", verbose_name=_("job roles")
    )
    cycle = models.CharField(_("cycle"), max_length=16, choices=Cycle.choices, default=Cycle.ANNUAL)
    due_rule = models.CharField(_("due rule"), max_length=16, choices=DueRule.choices, default=DueRule.DAYS_AFTER)
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("For a fixed date. For an annual module, the same month and day in each fiscal year."),
    )
    due_days = models.PositiveSmallIntegerField(_("days to complete"), null=True, blank=True, default=30)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=20)
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty: a certificate is valid until the end of the fiscal year of its cycle."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("lessons"),
        FieldPanel("quiz"),
    ]
    audience_panels = [
        MultiFieldPanel(
            [
                FieldPanel("audience_everyone"),
                FieldPanel("audience_units"),
                FieldPanel("audience_employment_types"),
                FieldPanel("audience_job_roles"),
            ],
            heading=_("Audience"),
            help_text=_("Everyone, or people who match every criterion filled in (any of the choices within one)."),
        ),
        MultiFieldPanel(
            [
                FieldPanel("cycle"),
                FieldPanel("due_rule"),
                FieldRowPanel([FieldPanel("due_date"), FieldPanel("due_days")]),
                FieldPanel("estimated_minutes"),
                FieldPanel("certificate_valid_months"),
            ],
            heading=_("Cycle and due date"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(audience_panels, heading=_("Audience and due date")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("training module")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.due_rule == self.DueRule.FIXED and not self.due_date:
            raise ValidationError({"due_date": _("A fixed due rule needs a due date.")})
        if self.due_rule == self.DueRule.DAYS_AFTER and not self.due_days:
            raise ValidationError({"due_days": _("Say how many days people have to complete the module.")})

    # --- cycle and due date -------------------------------------------------------------
    def cycle_for(self, day: dt.date) -> str:
        return fiscal_cycle(day) if self.cycle == self.Cycle.ANNUAL else ONE_OFF_CYCLE

    def due_date_for(self, *, cycle: str, assigned_on: dt.date) -> dt.date:
        if self.due_rule == self.DueRule.FIXED and self.due_date:
            if self.cycle != self.Cycle.ANNUAL:
                return self.due_date
            year = int(cycle.removeprefix("FY")) if cycle.startswith("FY") else fiscal_year_of(assigned_on)
            # The same month and day inside that fiscal year (January–March fall in the next calendar year).
            cal_year = year if self.due_date.month >= 4 else year + 1
            try:
                return self.due_date.replace(year=cal_year)
            except ValueError:  # 29 February in a common year
                return dt.date(cal_year, 2, 28)
        return assigned_on + dt.timedelta(days=self.due_days or 30)

    def due_at_for(self, *, cycle: str, assigned_on: dt.date) -> dt.datetime:
        return end_of_day_jst(self.due_date_for(cycle=cycle, assigned_on=assigned_on))

    # --- lessons ------------------------------------------------------------------------
    def lesson_list(self) -> list:
        return [child for child in self.lessons if child.block_type == "lesson"]

    def lesson_keys(self) -> list[str]:
        return [str(child.id) for child in self.lesson_list()]

    def lesson_by_key(self, key: str):
        return next((child for child in self.lesson_list() if str(child.id) == key), None)

    # --- certificates -------------------------------------------------------------------
    def certificate_valid_until(self, *, cycle: str, completed_at: dt.datetime) -> dt.date:
        """The module's own validity in months from completion, else the end of the cycle's fiscal year.

        A one-off module without its own validity stays valid until the end of the fiscal year of completion.
        """
        completed_on = local_date(completed_at)
        if self.certificate_valid_months:
            # Clamped to the month's end: 31 August + 18 months is 28 (or 29) February.
            return completed_on + relativedelta(months=self.certificate_valid_months)
        year = int(cycle[2:]) if cycle.startswith("FY") and cycle[2:].isdigit() else fiscal_year_of(completed_on)
        return fiscal_year_bounds(year)[1]

    # --- who may see it -----------------------------------------------------------------
    def is_visible_to(self, person) -> bool:
        """In the audience, or assigned it (even manually, even in the past), or editing training."""
        if not person.is_authenticated:
            return False
        if sees_every_module(person) or (self.audience_everyone and person.is_active):  # no query needed
            return True
        if Assignment.objects.filter(module=self, person=person).exists():
            return True
        return self.audience_includes(person)

    @classmethod
    def visible_to(cls, person) -> list["TrainingModulePage"]:
        """The live modules `person` may open, in tree order."""
        if not person.is_authenticated:
            return []
        modules = cls.objects.live().order_by("path")
        if sees_every_module(person):
            return list(modules)
        assigned = set(Assignment.objects.filter(person=person).values_list("module_id", flat=True))
        return [m for m in modules if m.pk in assigned or m.audience_includes(person)]

    # --- serving ------------------------------------------------------------------------
    # Wagtail routes and serves the page (live check, view restrictions, preview); its sub-pages
    # are answered by `training.views`, which needs the services and so imports this module.
    # Models never import views: `TrainingConfig.ready()` hands the views module over here, as it
    # connects the signal receivers.
    page_views: ModuleType | None = None

    def serve(self, request, *args, **kwargs):
        # Outside the audience a module does not exist (404), so its URL confirms nothing.
        if not self.is_visible_to(request.user):
            raise Http404
        return super().serve(request, *args, **kwargs)

    @path("")
    def overview(self, request):
        return self.page_views.module_overview(request, self)

    @path("lessons/<str:key>/")
    def lesson(self, request, key):
        return self.page_views.module_lesson(request, self, key)

    @path("lessons/<str:key>/end/")
    def lesson_end(self, request, key):
        return self.page_views.module_lesson_end(request, self, key)

    @path("quiz/")
    def take_quiz(self, request):
        return self.page_views.module_take_quiz(request, self)


class Assignment(models.Model):
    """One person's duty to complete one module in one cycle. Never deleted: past cycles are archived."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To do")
        COMPLETED = "completed", _("Completed")
        EXEMPTED = "exempted", _("Exempted")
        # The quiz's last allowed attempt failed: nothing the person can do until an administrator resets it.
        FAILED_OUT = "failed_out", _("Failed out")

    class Source(models.TextChoices):
        AUTO = "auto", _("Audience")
        MANUAL = "manual", _("Assigned by an administrator")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_assignments",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(
        TrainingModulePage, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("module")
    )
    cycle = models.CharField(_("cycle"), max_length=16)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.AUTO)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    quiz_passed_at = models.DateTimeField(_("quiz passed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    exempted_at = models.DateTimeField(_("exempted at"), null=True, blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exempted by"),
    )
    exemption_reason = models.TextField(_("exemption reason"), blank=True)
    failed_out_at = models.DateTimeField(_("failed out at"), null=True, blank=True)
    # Raised by each reset: the quiz counts attempts per context, so a new round starts a new count.
    attempt_round = models.PositiveSmallIntegerField(_("attempt round"), default=0, db_default=0)
    # Set when the cycle is over or the person left the audience; the row stays as history.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archive_reason = models.CharField(_("archive reason"), max_length=32, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["person", "module", "cycle"], name="assignment_once_per_cycle"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False), name="assignment_completed_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="exempted") | ~Q(exemption_reason=""), name="assignment_exemption_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed_out") | Q(failed_out_at__isnull=False),
                name="assignment_failed_out_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["module", "cycle"]),
        ]

    def __str__(self):
        return f"{self.person} · {self.module.title} · {self.cycle}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ASSIGNED and self.archived_at is None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at

    @property
    def completed_on_time(self) -> bool | None:
        if self.completed_at is None:
            return None
        return self.completed_at <= self.due_at

    @property
    def due_date(self) -> dt.date:
        return local_date(self.due_at)

    @property
    def cycle_label(self) -> str:
        return cycle_label(self.cycle)

    @property
    def is_failed_out(self) -> bool:
        return self.status == self.Status.FAILED_OUT

    @property
    def quiz_context(self) -> str:
        """The quiz context of the current round; round 0 keeps the original form."""
        return f"assignment:{self.pk}" if not self.attempt_round else f"assignment:{self.pk}:{self.attempt_round}"


class LessonProgress(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="lesson_progress", verbose_name=_("assignment")
    )
    lesson_key = models.CharField(_("lesson"), max_length=64)
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        ordering = ["read_at"]
        verbose_name = _("lesson read")
        verbose_name_plural = _("lessons read")
        constraints = [models.UniqueConstraint(fields=["assignment", "lesson_key"], name="lesson_read_once")]

    def __str__(self):
        return f"{self.assignment_id}:{self.lesson_key}"


class LessonVisit(models.Model):
    """When the server last showed a lesson to the person, and when their browser reported its end in view.

    Server times only: whether a lesson counts as read is decided from these (see `services.lesson_mark_read`).
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="lesson_visits", verbose_name=_("assignment")
    )
    lesson_key = models.CharField(_("lesson"), max_length=64)
    opened_at = models.DateTimeField(_("opened at"))
    end_reached_at = models.DateTimeField(_("end reached at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson visit")
        verbose_name_plural = _("lesson visits")
        constraints = [models.UniqueConstraint(fields=["assignment", "lesson_key"], name="lesson_visit_once")]

    def __str__(self):
        return f"{self.assignment_id}:{self.lesson_key}"


class Certificate(models.Model):
    """Proof of a completion. The name, module and date are copied so the certificate never changes."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("assignment")
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    person_name = models.CharField(_("name"), max_length=200)
    module_title = models.CharField(_("module"), max_length=255)
    cycle = models.CharField(_("cycle"), max_length=16)
    completed_at = models.DateTimeField(_("completed at"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # The last day (Japan time) on which the certificate is valid; null only for certificates issued before validity.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("certificates:download", args=[self.pk])

    @property
    def cycle_label(self) -> str:
        return cycle_label(self.cycle)

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.valid_until is not None and (today or today_jst()) > self.valid_until


class ReminderLog(models.Model):
    """What was sent to whom on which (JST) day; the unique constraint makes a second run send nothing."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Personal digest")
        MANAGER = "manager", _("Manager digest")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    assignment_ids = models.JSONField(_("assignments"), default=list)

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["person", "kind", "sent_on"], name="reminder_once_a_day")]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.sent_on}"


# --- Attestations ---------------------------------------------------------------------------


class AttestationDocument(AudienceFields):
    """A rule document people must read and acknowledge (e.g. the group code of conduct)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    audience_units = models.ManyToManyField(
        "people.Unit", blank=True, related_name="+", verbose_name=_("units (with sub-units)")
    )
    audience_employment_types = models.ManyToManyField(
        "people.EmploymentType", blank=True, related_name="+", verbose_name=_("employment types")
    )
    audience_job_roles = models.ManyToManyField(
        "people.JobRole", blank=True, related_name="+", verbose_name=_("job roles")
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        MultiFieldPanel(
            [
                FieldPanel("audience_everyone"),
                FieldPanel("audience_units"),
                FieldPanel("audience_employment_types"),
                FieldPanel("audience_job_roles"),
            ],
            heading=_("Audience"),
        ),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("attestation document")
        verbose_name_plural = _("attestation documents")

    def __str__(self):
        return self.title


class AttestationVersion(models.Model):
    """One published wording. A material version asks everyone again; a minor one does not."""

    document = models.ForeignKey(
        AttestationDocument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"), editable=False)
    body = RichTextField(_("text"), features=RICH_TEXT_FEATURES)
    material = models.BooleanField(
        _("material change"), default=True, help_text=_("A material change asks everyone in the audience again.")
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    # SHA-256 of the text as published (UTF-8), so an acknowledgement names exactly the wording it was given.
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("attestation version")
        verbose_name_plural = _("attestation versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="attestation_version_number")]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        # A wording people may have acknowledged is never changed in place: a new version is published.
        if self.pk is not None:
            raise ValidationError(_("A published version cannot be edited; publish a new version instead."))
        super().save(*args, **kwargs)

    @staticmethod
    def text_sha256(body: str) -> str:
        return hashlib.sha256(body.encode()).hexdigest()

    def text_matches(self) -> bool:
        return bool(self.sha256) and self.text_sha256(self.body) == self.sha256


class Acknowledgement(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("person")
    )
    version = models.ForeignKey(
        AttestationVersion, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("version")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["person", "version"], name="acknowledge_once")]

    def __str__(self):
        return f"{self.person_id} · {self.version}"


# --- Transfer checklists ----------------------------------------------------------------------


class TransferChecklist(models.Model):
    """What a transferee confirms after moving units, countersigned by their new manager."""

    class Item(models.TextChoices):
        NO_MATERIAL = "no_material", _("I took no confidential material (paper or electronic) from my previous unit.")
        OLD_IDS_UNUSED = (
            "old_ids_unused",
            _("I no longer use the system IDs of my previous unit and have deleted them from my PC."),
        )
        BROWSER_CLEARED = "browser_cleared", _("I removed saved IDs and passwords of those systems from my browser.")
        OFF_LIMITS_CONFIRMED = (
            "off_limits_confirmed",
            _("I confirmed with my new manager which systems and information are now off-limits to me."),
        )
        RULES_READ = "rules_read", _("I have read the conduct rules that apply to my new unit.")

    transfer = models.OneToOneField(
        "people.Transfer", on_delete=models.PROTECT, related_name="checklist", verbose_name=_("transfer")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfer_checklists", verbose_name=_("person")
    )
    to_unit = models.ForeignKey("people.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("new unit"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    confirmed_items = models.JSONField(_("confirmed items"), default=list)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, blank=True)
    manager_note = models.CharField(_("manager's note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("transfer checklist")
        verbose_name_plural = _("transfer checklists")
        constraints = [
            models.CheckConstraint(
                condition=Q(countersigned_at__isnull=True) | Q(confirmed_at__isnull=False),
                name="checklist_confirmed_before_countersigned",
            )
        ]

    def __str__(self):
        return f"{self.person} → {self.to_unit}"

    @property
    def is_done(self) -> bool:
        return self.countersigned_at is not None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return not self.is_done and (now or timezone.now()) > self.due_at
