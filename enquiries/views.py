"""The enquiry desk's pages. Access: the asker and the enquiry responders only; everyone else
gets 404 for any enquiry, so a URL never confirms that an enquiry exists."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from audit.services import audit_record

from . import selectors, services
from .anonymise import anonymise
from .forms import EnquiryForm, MessageForm, PublishForm, ReplyForm
from .models import Enquiry, EnquiryMessage

QUEUE_PAGE_SIZE = 50
DRAFT_SAVED_FOR_EDITOR = gettext_noop(
    "A draft Q&A entry was saved. Review it in the editor and publish it through the usual approval."
)


def _responder_or_404(request) -> None:
    if not selectors.is_responder(request.user):
        raise Http404


def _apply(form, fn) -> bool:
    """Run a service; put its validation errors on the form instead of failing the request."""
    try:
        fn()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    return True


def my_enquiries(request):
    return render(
        request,
        "enquiries/my_enquiries.html",
        {
            "enquiries": selectors.enquiries_of(person=request.user),
            "is_responder": selectors.is_responder(request.user),
        },
    )


def ask(request):
    initial = {}
    if request.GET.get("rule", "").isdigit():
        initial["rule"] = int(request.GET["rule"])
    form = EnquiryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = {}

        def submit():
            created["enquiry"] = services.enquiry_submit(
                asker=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                rule=form.cleaned_data["rule"],
                attachment=form.cleaned_data["attachment"],
            )

        if _apply(form, submit):
            messages.success(request, _("Your question has been sent to the enquiry desk."))
            return redirect(created["enquiry"])
    return render(
        request, "enquiries/ask.html", {"form": form, "target_days": settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS}
    )


def detail(request, pk: int, *, forms: dict | None = None):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    responder = selectors.is_responder(request.user)
    services.enquiry_record_view(viewer=request.user, enquiry=enquiry)
    is_asker = enquiry.asker_id == request.user.pk
    is_open = enquiry.status != Enquiry.Status.CLOSED
    forms = forms or {}
    context = {
        "enquiry": enquiry,
        "thread": selectors.enquiry_thread(enquiry=enquiry),
        "first_attachments": [a for a in enquiry.attachments.all() if a.message_id is None],
        "is_responder": responder,
        "is_asker": is_asker,
        "answer_form": forms.get("answer") or (MessageForm(prefix="answer") if responder and is_open else None),
        "ask_back_form": forms.get("ask_back") or (MessageForm(prefix="ask_back") if responder and is_open else None),
        "reply_form": forms.get("reply") or (ReplyForm(prefix="reply") if is_asker and is_open else None),
        "can_publish": responder and enquiry.status in (Enquiry.Status.ANSWERED, Enquiry.Status.CLOSED),
    }
    return render(request, "enquiries/detail.html", context, status=400 if forms else 200)


def _desk_action(request, pk: int, name: str, service, done_message: str):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    _responder_or_404(request)
    form = MessageForm(request.POST, prefix=name)
    if form.is_valid() and _apply(
        form, lambda: service(responder=request.user, enquiry=enquiry, body=form.cleaned_data["body"])
    ):
        messages.success(request, done_message)
        return redirect(enquiry)
    return detail(request, pk, forms={name: form})


@require_POST
def answer(request, pk: int):
    return _desk_action(
        request, pk, "answer", services.enquiry_answer, _("The answer was sent; the asker has been notified.")
    )


@require_POST
def ask_back(request, pk: int):
    return _desk_action(request, pk, "ask_back", services.enquiry_ask_back, _("Your question was sent to the asker."))


@require_POST
def reply(request, pk: int):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    if enquiry.asker_id != request.user.pk:
        raise Http404
    form = ReplyForm(request.POST, request.FILES, prefix="reply")
    if form.is_valid() and _apply(
        form,
        lambda: services.enquiry_reply(
            asker=request.user,
            enquiry=enquiry,
            body=form.cleaned_data["body"],
            attachment=form.cleaned_data["attachment"],
        ),
    ):
        messages.success(request, _("Your reply was sent to the enquiry desk."))
        return redirect(enquiry)
    return detail(request, pk, forms={"reply": form})


@require_POST
def close(request, pk: int):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    _responder_or_404(request)
    try:
        services.enquiry_close(responder=request.user, enquiry=enquiry)
        messages.success(request, _("The enquiry was closed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(enquiry)


def publish(request, pk: int):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    _responder_or_404(request)
    services.enquiry_record_view(viewer=request.user, enquiry=enquiry)
    last_answer = enquiry.messages.filter(kind=EnquiryMessage.Kind.ANSWER).order_by("-created_at").first()
    initial = {
        "question": anonymise(enquiry.subject, enquiry.asker),
        "answer": anonymise(last_answer.body, enquiry.asker) if last_answer else "",
    }
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        made = {}

        def run():
            made["page"] = services.enquiry_publish_as_qa(
                responder=request.user,
                enquiry=enquiry,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                topic=form.cleaned_data["topic"],
                new_topic_title=form.cleaned_data["new_topic_title"],
            )

        if _apply(form, run):
            page = made["page"]
            if page.permissions_for_user(request.user).can_edit():
                messages.success(request, _(DRAFT_SAVED_FOR_EDITOR))
                return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
            messages.success(
                request,
                _("A draft Q&A entry was saved. A compliance editor will review it and publish it."),
            )
            return redirect(enquiry)
    return render(request, "enquiries/publish.html", {"enquiry": enquiry, "form": form})


def queue(request):
    _responder_or_404(request)
    show = request.GET.get("show", "open")
    if show not in selectors.QUEUE_FILTERS:
        show = "open"
    audit_record(actor=request.user, action="enquiry.queue_viewed", detail={"show": show})
    counts = selectors.queue_counts()
    return render(
        request,
        "enquiries/queue.html",
        {
            "enquiries": Paginator(selectors.enquiry_queue(show=show), QUEUE_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "show": show,
            "counts": counts,
            "tabs": [
                ("open", _("Waiting for the desk"), counts.get("open", 0)),
                ("awaiting_asker", _("Waiting for the asker"), counts.get("awaiting_asker", 0)),
                ("answered", _("Answered"), counts.get("answered", 0)),
                ("closed", _("Closed"), counts.get("closed", 0)),
                ("all", _("All"), None),
            ],
            "target_days": settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS,
        },
    )


def attachment(request, pk: int, attachment_pk: int):
    enquiry = selectors.enquiry_get_for(person=request.user, pk=pk)
    item = enquiry.attachments.filter(pk=attachment_pk).first()
    if item is None:
        raise Http404
    services.enquiry_record_view(viewer=request.user, enquiry=enquiry, what=f"attachment:{item.pk}")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
