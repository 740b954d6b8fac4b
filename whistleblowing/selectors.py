"""Reads of the hotline. Nothing here decrypts; decryption is a recorded act in casework."""

import datetime
from collections import Counter
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from infrastructure.disclosure import shown, suppressed, whole_months
from people.models import Person

from .models import Case, CaseKey, CaseStub, ConflictDeclaration, HandlerDesignation, HandlerKey, IdentityRequest

ACKNOWLEDGE_DAYS = 7
INVESTIGATION_NOTICE_DAYS = 20
FEEDBACK_MONTHS = 3


def active_designation(*, person) -> HandlerDesignation | None:
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return HandlerDesignation.objects.filter(person=person, revoked_at__isnull=True, approved_at__isnull=False).first()


def is_designated(*, person) -> bool:
    return active_designation(person=person) is not None


def active_designations() -> QuerySet:
    """The register in force: approved and not revoked designations of active people."""
    return HandlerDesignation.objects.filter(
        revoked_at__isnull=True, approved_at__isnull=False, person__is_active=True
    ).select_related("person")


def proposed_designations() -> QuerySet:
    """Designations proposed and waiting for a second person's approval."""
    return HandlerDesignation.objects.filter(revoked_at__isnull=True, approved_at__isnull=True).select_related(
        "person", "designated_by"
    )


def active_handlers() -> QuerySet:
    """Designated people (approved, not revoked), whether or not they have set up their key yet.

    The condition sits in one Exists: a filter across the reverse relation would also match
    people with no designation at all (`revoked_at__isnull` is true for the missing row).
    """
    return Person.objects.filter(Exists(active_designations().filter(person=OuterRef("pk"))), is_active=True).order_by(
        "family_name", "given_name", "email"
    )


def receiving_handlers() -> QuerySet:
    """Designated handlers who can receive reports: active, not revoked and with a key pair."""
    return (
        active_handlers()
        .filter(Exists(HandlerKey.objects.filter(person=OuterRef("pk"))))
        .order_by("family_name", "given_name", "email")
    )


def handler_key_for(*, person) -> HandlerKey | None:
    return HandlerKey.objects.filter(person=person).first()


def case_key_for(*, case: Case, person) -> CaseKey | None:
    """The handler's sealed key for the case, only while they hold an active designation."""
    if not is_designated(person=person):
        return None
    return CaseKey.objects.filter(case=case, handler=person).first()


def cases_for_handler(*, person) -> QuerySet:
    if not is_designated(person=person):
        return Case.objects.none()
    return (
        Case.objects.filter(Exists(CaseKey.objects.filter(case=OuterRef("pk"), handler=person)))
        .annotate(
            declared=Exists(ConflictDeclaration.objects.filter(case=OuterRef("pk"), handler=person)),
        )
        .order_by("-received_at", "-id")
    )


def has_declared(*, case: Case, person) -> bool:
    return ConflictDeclaration.objects.filter(case=case, handler=person, has_conflict=False).exists()


def grant_candidates(*, case: Case) -> QuerySet:
    """Handlers who could be given the case: receiving handlers without a key for it yet."""
    return receiving_handlers().exclude(hotline_case_keys__case=case)


def identity_requests(*, case: Case) -> QuerySet:
    """Requests to read the reporter's identity on a case, oldest first."""
    return IdentityRequest.objects.filter(case=case).select_related("requested_by", "approved_by").order_by("id")


def identity_request_of(*, case: Case, person) -> IdentityRequest | None:
    return IdentityRequest.objects.filter(case=case, requested_by=person).first()


# --- deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    kind: str
    label: str
    due_on: datetime.date
    met_at: datetime.datetime | None
    today: datetime.date

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def overdue(self) -> bool:
        return not self.met and self.today > self.due_on

    @property
    def due_soon(self) -> bool:
        days = int(getattr(settings, "HOTLINE_REMINDER_DAYS_AHEAD", 2))
        return not self.met and not self.overdue and (self.due_on - self.today).days <= days


def case_deadlines(case: Case, *, today: datetime.date | None = None) -> list[Deadline]:
    """Acknowledge within 7 days, notice of investigation within 20 days, feedback within 3 months.

    Feedback runs from the acknowledgement, or from the end of the 7 days when none was sent
    (EU Directive 2019/1937, art. 9(1)(f)). Due dates are end of day, Japan time.
    """
    today = today or timezone.localdate()
    received = timezone.localtime(case.received_at).date()
    ack_due = received + datetime.timedelta(days=ACKNOWLEDGE_DAYS)
    feedback_from = timezone.localtime(case.acknowledged_at).date() if case.acknowledged_at else ack_due
    # A closed case has answered everything it ever will.
    closed = case.closed_at if case.is_closed else None
    return [
        Deadline(
            "acknowledge",
            pgettext_lazy("hotline", "Acknowledge"),
            ack_due,
            case.acknowledged_at or closed,
            today,
        ),
        Deadline(
            "investigation",
            pgettext_lazy("hotline", "Notice of investigation"),
            received + datetime.timedelta(days=INVESTIGATION_NOTICE_DAYS),
            case.investigation_notice_at or closed,
            today,
        ),
        Deadline(
            "feedback",
            pgettext_lazy("hotline", "Feedback"),
            feedback_from + relativedelta(months=FEEDBACK_MONTHS),
            case.feedback_at or closed,
            today,
        ),
    ]


# --- statistics --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsRow:
    month: datetime.date
    category: str
    category_label: str
    outcome: str
    outcome_label: str
    count: int | None  # None: suppressed (infrastructure.disclosure)

    @property
    def display(self) -> str:
        return shown(self.count)


@dataclass(frozen=True)
class HotlineStatistics:
    start: datetime.date  # first day of the first whole month counted
    end: datetime.date  # last day of the last whole month counted
    rows: list[StatisticsRow]
    total: int | None
    requested_start: datetime.date
    requested_end: datetime.date

    @property
    def has_months(self) -> bool:
        return self.start <= self.end


def hotline_statistics(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> HotlineStatistics:
    """Reports received in the whole, ended calendar months between start and end, by month,
    category and outcome.

    Live cases and the stubs left by the retention purge count alike. Any cell, and the total,
    under five is suppressed so that small numbers cannot point to a person. Open cases are
    counted with the outcome "open". Part months at either end of the range, and the current
    month, are left out (see `whole_months`).
    """
    first, last = whole_months(start=start, end=end, today=today)
    counts: Counter = Counter()
    if first <= last:
        tz = timezone.get_current_timezone()
        start_dt = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
        end_dt = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        for received_at, category, outcome in Case.objects.filter(
            received_at__gte=start_dt, received_at__lt=end_dt
        ).values_list("received_at", "category", "outcome"):
            local = timezone.localtime(received_at)
            counts[(local.date().replace(day=1), category, outcome or "open")] += 1
        for month, category, outcome in CaseStub.objects.filter(
            received_month__gte=first, received_month__lte=last
        ).values_list("received_month", "category", "outcome"):
            counts[(month, category, outcome or "open")] += 1
    category_labels = dict(Case.Category.choices)
    outcome_labels = {**dict(Case.Outcome.choices), "open": pgettext("hotline", "Open")}
    rows = [
        StatisticsRow(
            month=month,
            category=category,
            category_label=str(category_labels.get(category, category)),
            outcome=outcome,
            outcome_label=str(outcome_labels.get(outcome, outcome)),
            count=suppressed(count),
        )
        for (month, category, outcome), count in sorted(counts.items())
    ]
    return HotlineStatistics(
        start=first,
        end=last,
        rows=rows,
        total=suppressed(sum(counts.values())),
        requested_start=start,
        requested_end=end,
    )


def cases_only_held_by(*, person) -> int:
    """Open cases whose only sealed key belongs to this person: revoking them makes the case unreadable."""
    from django.db.models import Count

    held = CaseKey.objects.filter(handler=person).exclude(case__status=Case.Status.CLOSED).values("case")
    return CaseKey.objects.filter(case__in=held).values("case").annotate(holders=Count("id")).filter(holders=1).count()
