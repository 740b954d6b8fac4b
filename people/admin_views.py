"""HR import in the Wagtail admin: upload a file, then watch the task import it."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import roles
from .hr_import import HRImportError, decode
from .models import HRImportJob
from .services import hr_import_job_create

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class HRImportForm(forms.Form):
    file = forms.FileField(
        label=_("HR file (CSV)"),
        help_text=_("UTF-8, UTF-8 with BOM or Shift_JIS. The file must list every current person."),
    )
    allow_mass_deactivation = forms.BooleanField(
        label=_("I confirm that more than a fifth of the people may be deactivated"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a CSV file (.csv)."))
        head = upload.read(4096)
        upload.seek(0)
        if b"\x00" in head:
            raise forms.ValidationError(_("This is not a text file."))
        # The encoding is checked now, so a file that cannot be read never becomes a queued job.
        try:
            decode(upload.read())
        except HRImportError as error:
            raise forms.ValidationError([str(e) for e in error.errors]) from None
        finally:
            upload.seek(0)
        return upload


def _require_site_administrator(request):
    if not request.user.in_group(roles.SITE_ADMINISTRATORS):
        raise PermissionDenied


def hr_import_index(request):
    _require_site_administrator(request)
    form = HRImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = hr_import_job_create(
            uploaded_by=request.user,
            filename=upload.name,
            content=upload.read(),
            allow_mass_deactivation=form.cleaned_data["allow_mass_deactivation"],
        )
        return redirect("people_hr_import_job", job_id=job.pk)
    jobs = HRImportJob.objects.select_related("uploaded_by").defer("content")[:20]
    return TemplateResponse(request, "people/admin/hr_import_index.html", {"form": form, "jobs": jobs})


def hr_import_job(request, job_id: int):
    _require_site_administrator(request)
    job = get_object_or_404(HRImportJob.objects.defer("content"), pk=job_id)
    return TemplateResponse(request, "people/admin/hr_import_job.html", {"job": job})
