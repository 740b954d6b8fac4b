from django import forms
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
