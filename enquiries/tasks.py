"""E-mail to the asker, sent by the task worker. The mail says only that something changed and
where to look: enquiry content never leaves the portal by e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import Enquiry


@task()
def send_enquiry_notice(enquiry_id: int) -> None:
    enquiry = Enquiry.objects.select_related("asker").filter(pk=enquiry_id).first()
    if enquiry is None or not enquiry.asker.is_active:
        return
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"url": base + enquiry.get_absolute_url(), "number": enquiry.pk}
        subject = render_to_string("enquiries/email/notice_subject.txt", context).strip()
        body = render_to_string("enquiries/email/notice_body.txt", context)
    send_mail(subject, body, None, [enquiry.asker.email])
