import datetime as dt

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from people.roles import ENQUIRY_RESPONDERS

from .models import Enquiry, EnquiryMessage


def is_responder(person) -> bool:
    """Membership of the responder group, and nothing else: superusers and administrators are not responders."""
    return bool(getattr(person, "is_authenticated", False) and person.is_active and person.in_group(ENQUIRY_RESPONDERS))


def enquiry_get_for(*, person, pk: int) -> Enquiry:
    """The enquiry if `person` may see it (its asker or a responder); 404 otherwise, whether or not it exists."""
    enquiry = Enquiry.objects.select_related("asker", "asker__unit", "rule", "published_qa_page").filter(pk=pk).first()
    if enquiry is None or (enquiry.asker_id != person.pk and not is_responder(person)):
        raise Http404
    return enquiry


def enquiry_thread(*, enquiry: Enquiry) -> list[EnquiryMessage]:
    return list(enquiry.messages.select_related("author").prefetch_related("attachments"))


def enquiries_of(*, person) -> QuerySet[Enquiry]:
    return Enquiry.objects.filter(asker=person).annotate(message_count=Count("messages")).order_by("-created_at")


QUEUE_FILTERS = {
    "open": {"status": Enquiry.Status.OPEN},
    "awaiting_asker": {"status": Enquiry.Status.AWAITING_ASKER},
    "answered": {"status": Enquiry.Status.ANSWERED},
    "closed": {"status": Enquiry.Status.CLOSED},
    "all": {},
}


def enquiry_queue(*, show: str = "open") -> QuerySet[Enquiry]:
    """The responders' queue: the most urgent first."""
    queryset = Enquiry.objects.filter(**QUEUE_FILTERS.get(show, QUEUE_FILTERS["open"]))
    queryset = queryset.select_related("asker", "asker__unit", "rule")
    if show in ("answered", "closed"):
        return queryset.order_by("-last_activity_at", "-pk")
    return queryset.order_by("due_at", "pk")


def queue_counts() -> dict[str, int]:
    counts = dict(Enquiry.objects.values_list("status").annotate(n=Count("pk")).order_by())
    counts["overdue"] = Enquiry.objects.filter(status=Enquiry.Status.OPEN, due_at__lt=timezone.now()).count()
    return counts


# How long an answer stays on the asker's home page.
RECENT_DAYS = 30


def recently_updated_for(*, person, limit: int = 5) -> list[Enquiry]:
    """The person's enquiries that wait for them to read an answer or reply."""
    waiting = [Enquiry.Status.ANSWERED, Enquiry.Status.AWAITING_ASKER]
    recent = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    queryset = Enquiry.objects.filter(asker=person, status__in=waiting, last_activity_at__gte=recent)
    return list(queryset.order_by("-last_activity_at")[:limit])
