"""The regulator progress report as a PDF (WeasyPrint, with the Japanese font embedded as in training.pdf)."""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail import hooks

from . import selectors

# Tagged PDF/UA, as the certificates (training/pdf.py): readable by screen readers.
PDF_VARIANT = "pdf/ua-1"


def hook_sections(request, *, start: dt.date, end: dt.date) -> list[str]:
    """Sections other apps contribute (the hotline's statistics); they render counts only."""
    sections = []
    for fn in hooks.get_hooks("regulator_report_sections"):
        html = fn(request, start=start, end=end)
        if html:
            sections.append(mark_safe(html))  # noqa: S308 - rendered by the contributing app's template
    return sections


def regulator_report_html(*, request, start: dt.date, end: dt.date, issued_at: dt.datetime, issued_by) -> str:
    with translation.override("ja"):
        data = selectors.regulator_report_data(start=start, end=end)
        return render_to_string(
            "reports/regulator_pdf.html",
            {
                "data": data,
                "sections": hook_sections(request, start=start, end=end),
                "issued_at": issued_at,
                "issued_by": issued_by,
            },
        )


def regulator_report_pdf(*, request, start: dt.date, end: dt.date, issued_at: dt.datetime, issued_by) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    html = regulator_report_html(request=request, start=start, end=end, issued_at=issued_at, issued_by=issued_by)
    return HTML(string=html, base_url="/").write_pdf(pdf_variant=PDF_VARIANT)
