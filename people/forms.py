from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Person, Unit
from .services import unit_add, unit_managers_set, unit_move


class LoginForm(AllauthLoginForm):
    """Accepts an e-mail address or an employee number in the one login box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("E-mail address or employee number"),
            max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        )
        self.order_fields(["login", "password"])

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        login = self.cleaned_data["login"]
        if "@" not in login:
            email = Person.objects.filter(employee_number=login).values_list("email", flat=True).first()
            credentials.pop("username", None)
            # An unknown number falls through as an impossible e-mail and fails like a wrong password.
            credentials["email"] = email or f"{login}@invalid.invalid"
        return credentials


class ParentUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # The list is in tree order; indenting by depth shows where each unit sits.
        return "\u2014 " * (obj.depth - 1) + obj.name


class UnitForm(WagtailAdminModelForm):
    """The admin's unit form. The parent is not a column (treebeard keeps it in `path`), so it is
    a field of its own, stored by `unit_add`/`unit_move`."""

    # The columns this form writes itself; `path`, `depth` and `numchild` are treebeard's.
    saved_fields = ("code", "name", "company", "kind")

    parent = ParentUnitField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("parent unit"),
        help_text=_("Leave empty for a top-level unit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = Unit.objects.order_by("path")
        if self.instance.pk:
            # A unit cannot go under itself or a unit below it.
            choices = choices.exclude(path__startswith=self.instance.path)
            self.initial["parent"] = getattr(self.instance.get_parent(), "pk", None)
        self.fields["parent"].queryset = choices

    def save(self, commit=True):
        unit = super().save(commit=False)
        if not commit:
            return unit
        parent = self.cleaned_data["parent"]
        if unit.pk is None:
            unit_add(unit=unit, parent=parent, actor=self.for_user)
        else:
            unit.save(update_fields=self.saved_fields)
            # A new code can change the unit's place among its siblings, which are in code order.
            if {"parent", "code"} & set(self.changed_data):
                unit_move(unit=unit, parent=parent, actor=self.for_user)
                unit.refresh_from_db()
        if "managers" in self.fields:  # through the service, which audits the change (save_m2m then finds none)
            unit_managers_set(unit=unit, managers=self.cleaned_data["managers"], actor=self.for_user)
        self.save_m2m()
        return unit
