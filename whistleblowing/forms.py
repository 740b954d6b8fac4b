from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Case, CaseEntry


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


FILE_HELP = _(
    "Up to 5 files, 10 MB each: PDF, PNG, JPEG, Word (DOCX) or plain text. Photos (JPEG, PNG) reach the "
    "handlers without their hidden details such as the place and camera. PDFs and Word files are not "
    "changed: they often contain your name, the author or the device. Remove such details before you "
    "attach a file if they could identify you."
)


class IntakeForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Case.Category.choices, widget=forms.RadioSelect)
    what = forms.CharField(
        label=pgettext_lazy("hotline", "What happened?"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    when = forms.CharField(label=_("When did it happen?"), required=False, max_length=500)
    where = forms.CharField(label=_("Where did it happen?"), required=False, max_length=500)
    people = forms.CharField(
        label=pgettext_lazy("hotline", "Who is involved?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    identity = forms.CharField(
        label=_("Your name and how to reach you (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_(
            "Leave this empty to stay anonymous. If you fill it in, it is encrypted apart from the report "
            "and a handler can read it only after recording why."
        ),
    )
    excluded = forms.MultipleChoiceField(
        label=_("Handlers who must not see this report"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick anyone who is involved or too close to the matter. They will not be able to read it."),
    )
    attachments = MultipleFileField(label=pgettext_lazy("hotline", "Attachments (optional)"), help_text=FILE_HELP)

    def __init__(self, *args, designations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excluded"].choices = [(str(d.pk), d.person.get_full_name() or str(d.person)) for d in designations]


class NoEchoTextInput(forms.TextInput):
    """A wrong receipt code is never sent back in the page."""

    def format_value(self, value):
        return None


class FollowupLoginForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("hotline", "Receipt code"),
        max_length=60,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class ReporterReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply or additional information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    attachments = MultipleFileField(label=pgettext_lazy("hotline", "Attachments (optional)"), help_text=FILE_HELP)


class KeySetupForm(forms.Form):
    passphrase = forms.CharField(
        label=pgettext_lazy("hotline", "Passphrase"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=12,
        help_text=_(
            "At least 12 characters and hard to guess (it is rated as you send it): four or five unrelated "
            "words work well. Not your login password."
        ),
    )
    passphrase_again = forms.CharField(
        label=pgettext_lazy("hotline", "Passphrase again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("passphrase") and data.get("passphrase") != data.get("passphrase_again"):
            raise forms.ValidationError(_("The two passphrases differ."))
        return data


class UnlockForm(forms.Form):
    passphrase = forms.CharField(
        label=pgettext_lazy("hotline", "Passphrase"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RecoverForm(KeySetupForm):
    recovery_key = forms.CharField(label=pgettext_lazy("hotline", "Recovery key"), max_length=100)

    field_order = ["recovery_key", "passphrase", "passphrase_again"]


class ConflictForm(forms.Form):
    CHOICES = [
        ("no", _("I have no conflict of interest in this case.")),
        ("yes", _("I have a conflict of interest and must not handle this case.")),
    ]
    declaration = forms.ChoiceField(
        label=pgettext_lazy("hotline", "Declaration"), choices=CHOICES, widget=forms.RadioSelect
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("hotline", "New status"), choices=Case.Status.choices)
    text = forms.CharField(
        label=_("Message to the reporter with this notice (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("hotline", "Kind"),
        choices=[
            (CaseEntry.Kind.MESSAGE, _("Message to the reporter")),
            (CaseEntry.Kind.NOTE, pgettext_lazy("hotline", "Internal note")),
        ],
        widget=forms.RadioSelect,
        initial=CaseEntry.Kind.MESSAGE,
    )
    text = forms.CharField(
        label=pgettext_lazy("hotline", "Text"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    is_feedback = forms.BooleanField(
        label=_("This message gives the reporter feedback on the follow-up (3-month deadline)"), required=False
    )


class GrantForm(forms.Form):
    handler = forms.ChoiceField(label=pgettext_lazy("hotline", "Designated handler"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [(str(h.pk), str(h)) for h in candidates]


class MeasureForm(forms.Form):
    description = forms.CharField(
        label=pgettext_lazy("hotline", "Measure"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    owner = forms.CharField(label=pgettext_lazy("hotline", "Owner"), max_length=200)
    due_on = forms.DateField(label=pgettext_lazy("hotline", "Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    check_on = forms.DateField(
        label=pgettext_lazy("hotline", "Check date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class IdentityForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the reporter's identity?"), max_length=2000)
