from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left, Length
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import DeleteView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import admin_views, roles
from .forms import UnitForm
from .models import Company, EmploymentType, JobRole, Transfer, Unit
from .services import UnitInUse, unit_delete, unit_delete_blockers


@hooks.register("register_admin_urls")
def register_hr_import_urls():
    return [
        path("hr-import/", admin_views.hr_import_index, name="people_hr_import"),
        path("hr-import/<int:job_id>/", admin_views.hr_import_job, name="people_hr_import_job"),
    ]


class SiteAdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.in_group(roles.SITE_ADMINISTRATORS)


@hooks.register("register_settings_menu_item")
def register_hr_import_menu_item():
    return SiteAdministratorMenuItem(_("HR import"), reverse("people_hr_import"), icon_name="upload", order=900)


class UnitIndexView(IndexView):
    def get_base_queryset(self):
        # treebeard's get_parent() is a query per row; the parent's path is the row's path less its
        # last step, so its name comes with the rows, as does the company's.
        parent_path = Left(OuterRef("path"), Length(OuterRef("path")) - Unit.steplen)
        return (
            super()
            .get_base_queryset()
            .select_related("company")
            .annotate(parent_name=Subquery(Unit.objects.filter(path=parent_path).values("name")[:1]))
        )


class UnitDeleteView(DeleteView):
    """Says what still needs the unit instead of offering to delete it, and deletes through the
    service, which audits the deletion (Wagtail's own delete would fail on a protected row)."""

    template_name = "people/admin/unit_confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blockers"] = unit_delete_blockers(self.object)
        context["is_protected"] = context.get("is_protected") or bool(context["blockers"])  # hides the form
        return context

    def delete_action(self):
        unit_delete(unit=self.object, actor=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except UnitInUse:  # something came to need it after the page was shown: the page now says what
            messages.error(self.request, _("The unit was not deleted: something still needs it."))
            return redirect(self.request.get_full_path())


class UnitViewSet(ModelViewSet):
    model = Unit
    icon = "group"
    index_view_class = UnitIndexView
    delete_view_class = UnitDeleteView
    # A top-level unit has no parent row: its parent_name is None, shown empty.
    list_display = ["name", "code", "kind", Column("parent", accessor="parent_name", label=_("parent unit")), "company"]
    list_filter = ["kind", "company"]
    search_fields = ["name", "code"]
    # UnitForm adds the parent unit (not a column) and stores new and moved units through treebeard.
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("code", "name", "company", "parent", "kind", "managers")],
        base_form_class=UnitForm,
    )
    ordering = ["path"]


class CompanyViewSet(ModelViewSet):
    model = Company
    icon = "site"
    list_display = ["name", "code", "kind"]
    form_fields = ["code", "name", "kind"]


class EmploymentTypeViewSet(ModelViewSet):
    model = EmploymentType
    icon = "tag"
    form_fields = ["code", "name"]


class JobRoleViewSet(ModelViewSet):
    model = JobRole
    icon = "tag"
    form_fields = ["code", "name"]


class TransferViewSet(ModelViewSet):
    model = Transfer
    icon = "arrow-right"
    list_display = ["person", "from_unit", "to_unit", "effective_on"]
    list_filter = ["effective_on"]
    inspect_view_enabled = True
    # Transfers come from the HR import; the admin only shows them.
    add_to_admin_menu = False
    form_fields = ["person", "from_unit", "to_unit", "effective_on"]


class OrganisationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 800
    items = (UnitViewSet, CompanyViewSet, EmploymentTypeViewSet, JobRoleViewSet, TransferViewSet)


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()
