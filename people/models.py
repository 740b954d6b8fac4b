"""People and the organisation they belong to.

The organisation comes from the HR system (see `people.hr_import`); accounts are never
created by sign-up. A person's unit decides what they must learn and who may see their
results, so a unit change is recorded as a `Transfer` rather than silently overwritten.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Company(models.Model):
    class Kind(models.TextChoices):
        RETAILER = "retailer", _("Retailer")
        GRID = "grid", _("Grid company")
        GROUP = "group", _("Group company")
        CONTRACTOR = "contractor", _("Contractor company")
        STAFFING = "staffing", _("Staffing agency")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RETAILER)

    class Meta:
        ordering = ["code"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class Unit(MP_Node):
    """A department or office. Units nest as a treebeard materialised path: `path` makes "this unit
    and everything below" one prefix query, and siblings are kept in code order."""

    class Kind(models.TextChoices):
        DIVISION = "division", _("Division")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Office")
        CALL_CENTRE = "call_centre", _("Call centre")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="units", verbose_name=_("company"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    managers = models.ManyToManyField("Person", blank=True, related_name="managed_units", verbose_name=_("managers"))

    # treebeard owns `path`, `depth` and `numchild`; units are added and moved only through
    # `people.services` (add_root/add_child/move), which keep them consistent.
    node_order_by = ["code"]

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def delete(self, *args, **kwargs):
        # treebeard deletes a node's whole subtree with it; the units below must be moved or
        # deleted first, as when `parent` was a PROTECT foreign key.
        if not self.is_leaf():
            raise models.ProtectedError(_("Move or delete the units below this one first."), set(self.get_children()))
        return super().delete(*args, **kwargs)

    def subtree(self) -> models.QuerySet["Unit"]:
        return Unit.get_tree(self)


class EmploymentType(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("employment type")
        verbose_name_plural = _("employment types")

    def __str__(self):
        return self.name


class JobRole(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")

    def __str__(self):
        return self.name


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True, null=True, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("company")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("unit")
    )
    employment_type = models.ForeignKey(
        EmploymentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("employment type")
    )
    job_roles = models.ManyToManyField(JobRole, blank=True, related_name="people", verbose_name=_("job roles"))
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("manager")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    # Set when the HR import owns this account; only such accounts are deactivated as leavers.
    hr_managed = models.BooleanField(_("managed by HR import"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["employee_number", "email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["unit", "is_active"])]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.family_name} {self.given_name}".strip()

    def get_short_name(self):
        return self.family_name or self.email

    # Wagtail's admin expects these names.
    @property
    def first_name(self):
        return self.given_name

    @property
    def last_name(self):
        return self.family_name

    # A person loaded by `queries.request_facts` (the logged-in person of a request) has these loaded
    # along with it; anyone else reads them when asked (group names once per instance).

    @property
    def role_names(self) -> frozenset[str]:
        """The names of this person's groups."""
        names = getattr(self, "_group_names", None)
        if names is None:
            names = frozenset(group.name for group in self.groups.all())
            self._group_names = names
        return names

    @property
    def job_role_codes(self) -> frozenset[str]:
        return frozenset(role.code for role in self.job_roles.all())

    @property
    def employment_type_code(self) -> str | None:
        return self.employment_type.code if self.employment_type_id else None

    @property
    def manages_a_unit(self) -> bool:
        if hasattr(self, "manages_units"):  # annotated by `queries.request_facts`
            return self.manages_units
        return self.managed_units.exists()

    @property
    def moved_from_grid(self) -> bool:
        """Transferred from a grid-company unit to another company's (see `Transfer.from_grid`)."""
        if hasattr(self, "transferred_from_grid"):  # annotated by `queries.request_facts`
            return self.transferred_from_grid
        return Transfer.from_grid().filter(person=self).exists()

    def in_group(self, name: str) -> bool:
        """Role check by explicit group membership; deliberately ignores the superuser flag."""
        return name in self.role_names


class Transfer(models.Model):
    """A move between units, recorded when the HR import sees a new unit for a person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("person"))
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from unit")
    )
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to unit"))
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="transfer_changes_unit")
        ]

    def __str__(self):
        return f"{self.person}: {self.from_unit} → {self.to_unit} ({self.effective_on})"

    @classmethod
    def from_grid(cls) -> models.QuerySet["Transfer"]:
        """Moves from a grid-company unit to a unit of another company (the seed's sales staff)."""
        return cls.objects.filter(from_unit__company__kind=Company.Kind.GRID).exclude(
            to_unit__company__kind=Company.Kind.GRID
        )


class HRImportJob(models.Model):
    """An HR file uploaded in the admin and imported by the task worker, with visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(editable=False)
    allow_mass_deactivation = models.BooleanField(_("allow mass deactivation"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(_("phase"), max_length=16, blank=True)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("HR import")
        verbose_name_plural = _("HR imports")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        share = self.processed / self.total
        # Validation is the long part; applying is one transaction at the end.
        return int(share * 90) if self.phase == "validate" else 90 + int(share * 10)


class UsedTOTPStep(models.Model):
    """A time step whose code has already let someone in with this authenticator.

    allauth remembers a used code for one period, but with MFA_TOTP_TOLERANCE a code validates for
    (2 x tolerance + 1) periods, so it could be replayed later in its window. The database is shared
    by every process (the cache is not, without Redis), and the unique constraint makes the claim
    atomic: of two simultaneous uses of one code, one insert fails.
    """

    authenticator = models.ForeignKey("mfa.Authenticator", on_delete=models.CASCADE, related_name="+")
    step = models.BigIntegerField()
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authenticator", "step"], name="totp_step_used_once")]

    def __str__(self) -> str:
        return f"{self.authenticator_id}@{self.step}"
