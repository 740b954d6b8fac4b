"""Wagtail integration: the register of designated handlers, the staff link and the regulator-report section.

Designation is a legal act by the company, so the register is kept by compliance editors
(group `compliance_editors`), not by site administrators or superusers. It takes two people:
one proposes ("Add"), a different one approves (editing a proposed designation); nobody can
propose or approve themselves, and every handler is e-mailed when the register changes.
Keeping the register gives no access to cases: only a designation of one's own plus a sealed
key does.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from people.models import Person
from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS

from . import handlers, selectors
from .models import HandlerDesignation

REGISTER_ACTIONS = {"add", "change", "view"}


class RegisterPermissionPolicy(BasePermissionPolicy):
    """Only compliance editors keep the register; nobody deletes from it (revocation keeps history)."""

    def user_has_permission(self, user, action):
        return (
            action in REGISTER_ACTIONS
            and getattr(user, "is_active", False)
            and user.is_authenticated
            and user.in_group(COMPLIANCE_EDITORS)
        )

    def users_with_any_permission(self, actions):
        if not set(actions) & REGISTER_ACTIONS:
            return Person.objects.none()
        return Person.objects.filter(is_active=True, groups__name=COMPLIANCE_EDITORS).distinct()


register_permission_policy(HandlerDesignation, RegisterPermissionPolicy(HandlerDesignation))


class DesignateForm(forms.ModelForm):
    class Meta:
        model = HandlerDesignation
        fields = ["person", "designated_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = HandlerDesignation.objects.filter(revoked_at__isnull=True).values("person")
        self.fields["person"].queryset = Person.objects.filter(is_active=True).exclude(pk__in=active)


class ApproveForm(forms.ModelForm):
    approve = forms.BooleanField(
        label=_("Approve this designation"),
        required=True,
        help_text=_(
            "You confirm, as the second person, that this person is to be a designated handler. You cannot "
            "approve a designation you proposed or your own. Every handler is told of the change."
        ),
    )

    class Meta:
        model = HandlerDesignation
        fields = []

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)


class RevokeForm(forms.ModelForm):
    revoke = forms.BooleanField(
        label=_("Revoke this designation now"),
        required=True,
        help_text=_("The person loses access to every hotline case at once; their hotline key is destroyed."),
    )

    class Meta:
        model = HandlerDesignation
        fields = []

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.orphaned = selectors.cases_only_held_by(person=self.instance.person) if self.instance.pk else 0
        if self.orphaned:
            self.fields["confirm_orphaned"] = forms.BooleanField(
                label=_(
                    "I understand that %(count)d open case(s) are held by this person alone and can never be "
                    "read again after the revocation. (Ask them to give the cases to another handler first.)"
                )
                % {"count": self.orphaned},
                required=True,
            )

    def clean(self):
        data = super().clean()
        if self.instance.revoked_at is not None:
            raise ValidationError(_("This designation has already been revoked."))
        return data


class ServiceFormMixin:
    """A rule broken in the service shows on the form instead of failing the request."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            # Wagtail sets this only when its own validation fails; the banner names the problem.
            self.produced_error_message = " ".join(exc.messages)
            return self.form_invalid(form)


class DesignateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        return handlers.designate_handler(
            person=self.form.cleaned_data["person"],
            by=self.request.user,
            designated_on=self.form.cleaned_data["designated_on"],
        )


class RevokeView(ServiceFormMixin, EditView):
    """Edits are the register's two acts on a designation: approve a proposal, or revoke."""

    def get_form_class(self):
        if self.object.is_proposed and self.request.method == "GET" or "approve" in self.request.POST:
            return ApproveForm
        return RevokeForm

    def save_instance(self):
        if isinstance(self.form, ApproveForm):
            return handlers.designation_approve(designation=self.object, by=self.request.user)
        return handlers.revoke_designation(designation=self.object, by=self.request.user)


class DesignationViewSet(ModelViewSet):
    model = HandlerDesignation
    icon = "user"
    menu_label = pgettext_lazy("hotline", "Hotline handlers")
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["person", "designated_on", "designated_by", "approved_at", "approved_by", "revoked_at"]
    list_filter = []
    search_fields = None
    inspect_view_enabled = False
    add_view_class = DesignateView
    copy_view_enabled = False
    edit_view_class = RevokeView

    def get_form_class(self, for_update=False):
        return RevokeForm if for_update else DesignateForm


@hooks.register("register_admin_viewset")
def register_designations():
    return DesignationViewSet("hotline_handlers")


@hooks.register("portal_staff_nav")
def hotline_staff_nav(request):
    # The group mirrors the designation (see handlers.designation_approve); checking it first spares
    # everyone else a query.
    if request.user.in_group(DESIGNATED_HANDLERS) and selectors.is_designated(person=request.user):
        return [{"url": reverse("whistleblowing:case_list"), "label": pgettext_lazy("hotline", "Hotline cases")}]
    return []


@hooks.register("regulator_report_sections")
def hotline_report_section(request, *, start: datetime.date, end: datetime.date):
    """The hotline's part of the regulator report: counts only, cells under five suppressed."""
    stats = selectors.hotline_statistics(start=start, end=end)
    return render_to_string("whistleblowing/report_section.html", {"stats": stats}, request=request)
