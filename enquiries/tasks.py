"""E-mail to the asker, sent by the task worker. The mail says only that something changed and
where to look: enquiry content never leaves the portal by e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import TaskContext, task

from infrastructure.mail import send_once

from .models import Enquiry


@task(takes_context=True)
def send_enquiry_notice(context: TaskContext, enquiry_id: int) -> None:
    enquiry = Enquiry.objects.select_related("asker").filter(pk=enquiry_id).first()
    if enquiry is None or not enquiry.asker.is_active:
        return
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        values = {"url": base + enquiry.get_absolute_url(), "number": enquiry.pk}
        subject = render_to_string("enquiries/email/notice_subject.txt", values).strip()
        body = render_to_string("enquiries/email/notice_body.txt", values)
    # Keyed by this task's id: a run after a worker died does not send the notice again.
    send_once(
        key=f"enquiry:{context.task_result.id}", send=lambda: send_mail(subject, body, None, [enquiry.asker.email])
    )
