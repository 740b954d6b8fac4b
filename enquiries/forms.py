from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import QAPage, RulePage

from .attachments import ALLOWED_LABEL, max_bytes, validate_attachment
from .services import BODY_MAX, SUBJECT_MAX


def _attachment_help() -> str:
    return gettext("%(types)s, up to %(mb)s MB. Leave out personal data you do not need to send.") % {
        "types": ALLOWED_LABEL,
        "mb": f"{max_bytes() / 1024 / 1024:g}",
    }


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachment (optional)"))
        # Lazy: the field is made once, when the form class is defined, but read in each reader's language.
        kwargs.setdefault("help_text", lazy(_attachment_help, str)())
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.txt"

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            validate_attachment(upload)
        return upload


class EnquiryForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Your question"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe the situation and what you would like to do. Plain text; formatting is removed."),
    )
    rule = forms.ModelChoiceField(
        label=_("Related conduct rule (optional)"), queryset=RulePage.objects.none(), required=False
    )
    attachment = AttachmentField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = RulePage.objects.live().public().order_by("path")


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(MessageForm):
    attachment = AttachmentField()


class PublishForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("Answer"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}))
    topic = forms.ModelChoiceField(label=_("Add to this Q&A topic"), queryset=QAPage.objects.none(), required=False)
    new_topic_title = forms.CharField(label=_("…or start a new Q&A topic titled"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = QAPage.objects.order_by("path")

    def clean(self):
        data = super().clean()
        if bool(data.get("topic")) == bool((data.get("new_topic_title") or "").strip()):
            raise forms.ValidationError(_("Choose an existing topic or give a title for a new one (not both)."))
        return data
