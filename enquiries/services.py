"""Every change to an enquiry goes through here: one audit entry per state change."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record
from portal.models import QAIndexPage, QAItem, QAPage, RulePage

from .anonymise import anonymise
from .attachments import validate_attachment
from .business_days import due_at
from .models import Enquiry, EnquiryAttachment, EnquiryMessage
from .sanitise import sanitise_text
from .selectors import is_responder
from .tasks import send_enquiry_notice

SUBJECT_MAX = 200
BODY_MAX = 10_000


def _clean(text: str, *, field: str, max_length: int) -> str:
    cleaned = sanitise_text(text)
    if not cleaned:
        raise ValidationError({field: _("Write something here.")})
    if len(cleaned) > max_length:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": max_length}})
    return cleaned


def _require_responder(person) -> None:
    if not is_responder(person):
        raise PermissionDenied


def _require_open(enquiry: Enquiry) -> None:
    if enquiry.status == Enquiry.Status.CLOSED:
        raise ValidationError(_("This enquiry is closed."))


def _attach(*, enquiry: Enquiry, upload: UploadedFile, person, message: EnquiryMessage | None = None):
    content_type = validate_attachment(upload)
    attachment = EnquiryAttachment(
        enquiry=enquiry,
        message=message,
        original_name=sanitise_text(upload.name)[:255] or "attachment",
        content_type=content_type,
        size=upload.size,
        uploaded_by=person,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def _notify_asker(enquiry: Enquiry) -> None:
    transaction.on_commit(lambda: send_enquiry_notice.enqueue(enquiry.pk))


@transaction.atomic
def enquiry_submit(
    *, asker, subject: str, body: str, rule: RulePage | None = None, attachment: UploadedFile | None = None
) -> Enquiry:
    if attachment is not None:
        validate_attachment(attachment)  # before anything is written
    now = timezone.now()
    enquiry = Enquiry.objects.create(
        asker=asker,
        subject=_clean(subject, field="subject", max_length=SUBJECT_MAX),
        body=_clean(body, field="body", max_length=BODY_MAX),
        rule=rule,
        created_at=now,
        last_activity_at=now,
        due_at=due_at(now, settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS),
    )
    if attachment is not None:
        _attach(enquiry=enquiry, upload=attachment, person=asker)
    audit_record(actor=asker, action="enquiry.submitted", target=enquiry)
    return enquiry


def enquiry_record_view(*, viewer, enquiry: Enquiry, what: str = "enquiry") -> None:
    """Responders leave a trace each time they look at an enquiry or one of its files."""
    if is_responder(viewer):
        action = "enquiry.viewed" if what == "enquiry" else "enquiry.attachment_viewed"
        audit_record(actor=viewer, action=action, target=enquiry, detail={"what": what} if what != "enquiry" else None)


def _desk_message(*, responder, enquiry: Enquiry, body: str, kind: str, status: str, action: str) -> EnquiryMessage:
    _require_responder(responder)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    _require_open(enquiry)
    now = timezone.now()
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, kind=kind, author=responder, body=_clean(body, field="body", max_length=BODY_MAX)
    )
    enquiry.status = status
    enquiry.last_activity_at = now
    if kind == EnquiryMessage.Kind.ANSWER and enquiry.first_answered_at is None:
        enquiry.first_answered_at = now
    enquiry.save(update_fields=["status", "last_activity_at", "first_answered_at"])
    audit_record(actor=responder, action=action, target=enquiry, detail={"status": status})
    _notify_asker(enquiry)
    return message


@transaction.atomic
def enquiry_answer(*, responder, enquiry: Enquiry, body: str) -> EnquiryMessage:
    return _desk_message(
        responder=responder,
        enquiry=enquiry,
        body=body,
        kind=EnquiryMessage.Kind.ANSWER,
        status=Enquiry.Status.ANSWERED,
        action="enquiry.answered",
    )


@transaction.atomic
def enquiry_ask_back(*, responder, enquiry: Enquiry, body: str) -> EnquiryMessage:
    return _desk_message(
        responder=responder,
        enquiry=enquiry,
        body=body,
        kind=EnquiryMessage.Kind.ASK_BACK,
        status=Enquiry.Status.AWAITING_ASKER,
        action="enquiry.asked_back",
    )


@transaction.atomic
def enquiry_reply(*, asker, enquiry: Enquiry, body: str, attachment: UploadedFile | None = None) -> EnquiryMessage:
    """The asker answers a question from the desk, adds details, or follows up on an answer."""
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if enquiry.asker_id != asker.pk:
        raise PermissionDenied
    _require_open(enquiry)
    now = timezone.now()
    message = EnquiryMessage.objects.create(
        enquiry=enquiry,
        kind=EnquiryMessage.Kind.REPLY,
        author=asker,
        body=_clean(body, field="body", max_length=BODY_MAX),
    )
    if attachment is not None:
        _attach(enquiry=enquiry, upload=attachment, person=asker, message=message)
    if enquiry.status != Enquiry.Status.OPEN:
        # The desk's clock restarts when the ball comes back to it; adding to a question that is
        # still waiting for an answer must not push its due date back.
        enquiry.due_at = due_at(now, settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS)
    enquiry.status = Enquiry.Status.OPEN
    enquiry.last_activity_at = now
    enquiry.save(update_fields=["status", "last_activity_at", "due_at"])
    audit_record(actor=asker, action="enquiry.replied", target=enquiry, detail={"status": enquiry.status})
    return message


@transaction.atomic
def enquiry_close(*, responder, enquiry: Enquiry) -> Enquiry:
    _require_responder(responder)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    _require_open(enquiry)
    now = timezone.now()
    enquiry.status = Enquiry.Status.CLOSED
    enquiry.closed_at = enquiry.last_activity_at = now
    enquiry.save(update_fields=["status", "closed_at", "last_activity_at"])
    audit_record(actor=responder, action="enquiry.closed", target=enquiry, detail={"status": enquiry.status})
    return enquiry


@transaction.atomic
def enquiry_publish_as_qa(
    *,
    responder,
    enquiry: Enquiry,
    question: str,
    answer: str,
    topic: QAPage | None = None,
    new_topic_title: str = "",
) -> QAPage:
    """Save a draft Q&A entry made from an enquiry, with the asker's identity taken out.

    The draft is a new revision (of an existing Q&A topic, or of a new unpublished topic);
    nothing goes live until an editor publishes it through Wagtail's usual workflow.
    """
    _require_responder(responder)
    if enquiry.status not in (Enquiry.Status.ANSWERED, Enquiry.Status.CLOSED):
        raise ValidationError(_("Only an answered enquiry can become a Q&A entry."))
    asker = enquiry.asker
    question = anonymise(_clean(question, field="question", max_length=500), asker)
    answer_html = linebreaks(escape(anonymise(_clean(answer, field="answer", max_length=BODY_MAX), asker)))
    item = QAItem(question=question, answer=answer_html)

    if topic is not None:
        draft = topic.get_latest_revision_as_object()
        draft.items.add(item)
        revision = draft.save_revision(user=responder, log_action=True)
        page = topic
    else:
        title = _clean(new_topic_title, field="new_topic_title", max_length=255)
        index = QAIndexPage.objects.first()
        if index is None:
            raise ValidationError(_("There is no Q&A section to publish into."))
        page = QAPage(title=title, slug=_free_slug(index, title), live=False)
        page.items = [item]
        index.add_child(instance=page)
        revision = page.save_revision(user=responder, log_action=True)
    Enquiry.objects.filter(pk=enquiry.pk).update(published_qa_page=page)
    audit_record(
        actor=responder,
        action="enquiry.published_as_qa",
        target=enquiry,
        detail={"qa_page": page.pk, "revision": revision.pk},
    )
    return page


def _free_slug(index: QAIndexPage, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:50] or "qa"
    taken = set(index.get_children().values_list("slug", flat=True))
    slug = base
    while slug in taken:
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug
