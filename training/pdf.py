"""Certificate PDFs, made on demand with WeasyPrint (a few tens of milliseconds with HarfBuzz subsetting)."""

from django.template.loader import render_to_string
from django.utils import translation

from .models import Certificate

# Tagged PDF/UA: the structure (headings, paragraphs, reading order, language) that screen
# readers need; the Japanese font stays embedded.
PDF_VARIANT = "pdf/ua-1"


def certificate_pdf(*, certificate: Certificate, base_url: str = "/") -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    with translation.override("ja"):
        html = render_to_string("training/certificate_pdf.html", {"certificate": certificate, "base_url": base_url})
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)
