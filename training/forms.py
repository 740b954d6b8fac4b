import re

from django import forms
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import TrainingModulePage


class ManualAssignForm(forms.Form):
    person = forms.CharField(label=_("Person"), max_length=254, help_text=_("E-mail address or employee number."))
    module = forms.ModelChoiceField(label=_("Module"), queryset=TrainingModulePage.objects.live().order_by("path"))
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to use the module's due rule."),
    )

    def clean_person(self):
        person = selectors.find_person(identifier=self.cleaned_data["person"])
        if person is None:
            raise forms.ValidationError(_("No person with that e-mail address or employee number."))
        return person


class ExemptForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Recorded with your name and shown in reports."),
    )


class ResetAttemptsForm(ExemptForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Recorded with your name in the audit log.")


class AttestationPublishForm(forms.Form):
    """The wording as plain text: paragraphs separated by a blank line become the published paragraphs."""

    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=50_000,
        help_text=_("Separate paragraphs with a blank line. Published text cannot be edited later."),
    )
    material = forms.BooleanField(
        label=_("Material change"),
        required=False,
        initial=True,
        help_text=_("A material change asks everyone in the audience to acknowledge again."),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        if initial.get("body"):
            initial["body"] = html_to_paragraphs(initial["body"])
        super().__init__(*args, initial=initial, **kwargs)

    def clean_body(self):
        text = self.cleaned_data["body"].replace("\x00", "").replace("\r\n", "\n")
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            raise forms.ValidationError(_("The document text is empty."))
        return "".join(format_html("<p>{}</p>", p) for p in paragraphs)


def html_to_paragraphs(html: str) -> str:
    """The published text back as plain paragraphs, to start the next version from."""
    blocks = re.split(r"</(?:p|h[2-4]|li)>", html)
    return "\n\n".join(text for text in (" ".join(strip_tags(b).split()) for b in blocks) if text)
