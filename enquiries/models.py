"""Enquiries (照会): a person asks whether something is allowed; the enquiry desk answers.

Only the asker and members of the enquiry-responder group may see an enquiry (see
`selectors.enquiry_get_for`); the superuser flag opens nothing here.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .attachments import PrivateStorage, upload_to


class Enquiry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the desk")
        AWAITING_ASKER = "awaiting_asker", _("Waiting for the asker")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enquiries", verbose_name=_("asker")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("question"))
    rule = models.ForeignKey(
        "portal.RulePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related rule"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_qa_page = models.ForeignKey(
        "portal.QAPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published as Q&A"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["asker", "-created_at"]),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("enquiries:detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()

    @property
    def status_tag(self) -> str:
        if self.is_overdue:
            return "tag-bad"
        return {
            self.Status.OPEN: "",
            self.Status.AWAITING_ASKER: "tag-warn",
            self.Status.ANSWERED: "tag-ok",
        }.get(self.status, "")


class EnquiryMessage(models.Model):
    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        ASK_BACK = "ask_back", _("Question from the desk")
        REPLY = "reply", _("Reply from the asker")

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("enquiry"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enquiry message")
        verbose_name_plural = _("enquiry messages")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def from_desk(self) -> bool:
        return self.kind in (self.Kind.ANSWER, self.Kind.ASK_BACK)


class EnquiryAttachment(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        EnquiryMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(storage=PrivateStorage(), upload_to=upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("enquiries:attachment", args=[self.enquiry_id, self.pk])
