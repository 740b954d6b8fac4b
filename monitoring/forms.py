"""Forms of the monitoring pages. They check input only; what it does is in services."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.models import Company, Person
from training.models import TrainingModulePage

from . import selectors
from .models import ContractPurpose, Finding, LogSource, Rule, System, Terminal

MAX_UPLOAD_MB = 200
NOTE_MAX = 4000
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


class JapaneseOptionsSelect(forms.Select):
    """A select whose Japanese options (unit names, people, module titles) carry lang="ja", so an
    English page reads them with a Japanese voice; the interface's own options follow the page."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if JAPANESE.search(str(label)):
            option["attrs"]["lang"] = "ja"
        return option


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Not closed")), ("", _("All")), *Finding.Status.choices],
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All")), *Rule.Kind.choices])
    system = forms.ChoiceField(label=_("System"), required=False, choices=[("", _("All")), *System.choices])
    unit = forms.TypedChoiceField(
        label=_("Unit"), required=False, coerce=int, empty_value=None, widget=JapaneseOptionsSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All"))] + [(u.pk, u.name) for u in selectors.finding_units()]

    def filters(self) -> dict:
        """The valid filters; an invalid value (a hand-edited URL) falls back to no filter."""
        if not self.is_bound:
            return {"status": "active", "rule": "", "system": "", "unit": None}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status", "active") if "status" not in self.errors else "active",
            "rule": data.get("rule", ""),
            "system": data.get("system", ""),
            "unit": data.get("unit"),
        }


class FindingUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Finding.Status.choices)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody"), widget=JapaneseOptionsSelect
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", "—"), *Finding.Outcome.choices],
        help_text=_("Needed to close the finding."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.auditors()

    def clean(self):
        data = super().clean()
        if data.get("status") == Finding.Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome to close the finding."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class AssignTrainingForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Training module"), queryset=None, widget=JapaneseOptionsSelect)
    scope = forms.ChoiceField(
        label=_("Assign to"),
        choices=[("person", _("This person")), ("unit", _("Everyone in their unit"))],
        initial="person",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, has_unit: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = TrainingModulePage.objects.live().order_by("title")
        if not has_unit:
            self.fields["scope"].choices = [("person", _("This person"))]


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Log source"), queryset=LogSource.objects.none(), widget=JapaneseOptionsSelect
    )
    file = forms.FileField(
        label=_("Log file (CSV)"),
        help_text=_("The file as the system exports it. A file already imported is recognised and adds nothing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = selectors.sources()
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; use the command for scheduled drops.") % {"mb": MAX_UPLOAD_MB}
            )
        return upload


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("On"), required=False)
    records = forms.IntegerField(label=_("Records"), min_value=2, max_value=100000, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=1440, required=False)

    def __init__(self, *args, rule: Rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule.kind != Rule.Kind.BURST:
            del self.fields["records"]
            del self.fields["minutes"]

    def params(self) -> dict:
        if self.rule.kind != Rule.Kind.BURST:
            return dict(self.rule.params)
        params = dict(self.rule.params)
        for key in ("records", "minutes"):
            if self.cleaned_data.get(key):
                params[key] = self.cleaned_data[key]
        return params


class RegisterFilterForm(forms.Form):
    system = forms.ChoiceField(label=_("System"), required=False, choices=[("", _("All")), *System.choices])
    q = forms.CharField(label=_("Id or name"), required=False, max_length=100)


class RegisterEntryForm(forms.Form):
    """Who holds an id of a grid system, as an auditor found out (an id the register mapped to nobody, say)."""

    system = forms.ChoiceField(label=_("System"), choices=System.choices)
    account_id = forms.CharField(label=_("System user id"), max_length=64)
    holder = forms.CharField(
        label=_("Holder's employee number"),
        max_length=32,
        required=False,
        help_text=_("Empty: nobody holds it (a shared or a batch id); its views then stay without a person."),
    )
    removed_on = forms.DateField(label=_("Removed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_holder(self):
        number = self.cleaned_data["holder"].strip()
        if not number:
            return None
        person = Person.objects.filter(employee_number__iexact=number).first()
        if person is None:
            raise forms.ValidationError(_("Nobody has the employee number %(number)s.") % {"number": number})
        return person

    def service_arguments(self) -> dict:
        """What `services.register_enter` takes."""
        data = self.cleaned_data
        return {
            "system": data["system"],
            "account_id": data["account_id"],
            "person": data["holder"],
            "removed_on": data["removed_on"],
            "note": data["note"],
        }


class TerminalForm(forms.Form):
    code = forms.CharField(label=_("Terminal"), max_length=Terminal._meta.get_field("code").max_length)
    location = forms.CharField(
        label=_("Location"), max_length=Terminal._meta.get_field("location").max_length, required=False
    )
    is_shared_office = forms.BooleanField(label=_("In an office shared with the retailer"), required=False)


class ContractPurposeForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Contractor"), queryset=None, widget=JapaneseOptionsSelect)
    name = forms.CharField(label=_("Purpose"), max_length=ContractPurpose._meta.get_field("name").max_length)
    systems = forms.MultipleChoiceField(
        label=_("Systems"),
        choices=System.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one system the contract covers.")},
    )
    allowed_record_types = forms.CharField(
        label=_("Record types allowed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as the logs name them. Empty: every record type of the systems chosen."),
    )
    valid_from = forms.DateField(
        label=pgettext_lazy("contract purpose", "Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=pgettext_lazy("contract purpose", "Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until further notice."),
    )

    def __init__(self, *args, purpose: ContractPurpose | None = None, **kwargs):
        if purpose is not None:
            kwargs.setdefault(
                "initial",
                {
                    "company": purpose.company_id,
                    "name": purpose.name,
                    "systems": purpose.systems,
                    "allowed_record_types": "\n".join(purpose.allowed_record_types),
                    "valid_from": purpose.valid_from,
                    "valid_until": purpose.valid_until,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(kind=Company.Kind.CONTRACTOR).order_by("code")

    def service_arguments(self) -> dict:
        """What `services.contract_purpose_save` takes."""
        data = self.cleaned_data
        return {
            **{f: data[f] for f in ("company", "name", "systems", "valid_from", "valid_until")},
            "allowed_record_types": data["allowed_record_types"].splitlines(),
        }


# The portal's fields a log's columns map to (LogSource.columns): the first two every file must have.
COLUMN_FIELDS = {
    "account": _("Column of the user id"),
    "at": _("Column of the time"),
    "terminal": _("Column of the terminal"),
    "record_type": _("Column of the record type"),
    "record": _("Column of the customer record number"),
    "new_entrant": _("Column saying whether the customer is a new entrant's"),
}
# Named in the form, as a tab in an HTML attribute is easy to lose.
DELIMITERS = {
    "comma": (",", _("Comma")),
    "tab": ("\t", _("Tab")),
    "semicolon": (";", _("Semicolon")),
    "bar": ("|", _("Vertical bar")),
}


class LogSourceForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("The command's --source names it."))
    name = forms.CharField(label=_("Name"), max_length=200)
    system = forms.ChoiceField(label=_("System"), choices=System.choices)
    encoding = forms.ChoiceField(label=_("Encoding"), choices=LogSource.Encoding.choices)
    delimiter = forms.ChoiceField(
        label=_("Delimiter"), choices=[(name, label) for name, (_c, label) in DELIMITERS.items()]
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Tokyo")
    time_format = forms.CharField(
        label=_("Time format"),
        max_length=64,
        initial="%Y-%m-%d %H:%M:%S",
        help_text=_("As Python's strptime reads it, for example %Y/%m/%d %H:%M:%S."),
    )
    non_public_record_types = forms.CharField(
        label=_("Record types holding non-public grid information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Empty: every record of this system is non-public."),
    )
    new_entrant_values = forms.CharField(
        label=_("Values meaning a new entrant's customer"),
        required=False,
        help_text=_("Separated by commas, for example 1, Y (as the file writes them)."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, source: LogSource | None = None, **kwargs):
        if source is not None:
            initial = {
                field: getattr(source, field)
                for field in ("code", "name", "system", "encoding", "time_zone", "time_format", "is_active")
            }
            initial["delimiter"] = next((n for n, (c, _label) in DELIMITERS.items() if c == source.delimiter), "comma")
            initial["non_public_record_types"] = "\n".join(source.non_public_record_types)
            initial["new_entrant_values"] = ", ".join(source.new_entrant_values)
            initial.update({f"column_{key}": source.columns.get(key, "") for key in COLUMN_FIELDS})
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for key, label in COLUMN_FIELDS.items():
            self.fields[f"column_{key}"] = forms.CharField(
                label=label,
                max_length=100,
                required=key in ("account", "at"),
                help_text=_("The header, as in the file."),
            )
        columns = [f"column_{key}" for key in COLUMN_FIELDS]
        self.order_fields(["code", "name", "system", "encoding", "delimiter", "time_zone", "time_format", *columns])

    def columns(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"column_{key}"].strip()
            for key in COLUMN_FIELDS
            if self.cleaned_data[f"column_{key}"].strip()
        }

    def service_arguments(self) -> dict:
        """What `services.log_source_save` takes."""
        data = self.cleaned_data
        return {
            **{f: data[f] for f in ("code", "name", "system", "encoding", "time_zone", "time_format", "is_active")},
            "delimiter": DELIMITERS[data["delimiter"]][0],
            "columns": self.columns(),
            "non_public_record_types": data["non_public_record_types"].splitlines(),
            "new_entrant_values": data["new_entrant_values"].split(","),
        }
