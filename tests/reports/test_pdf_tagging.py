"""Both PDFs the portal issues are tagged (PDF/UA), so screen readers can read them, and keep
their embedded Japanese font."""

import datetime as dt
import shutil
import subprocess

import pytest

from reports.pdf import regulator_report_pdf
from training.models import Certificate
from training.pdf import certificate_pdf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils (pdfinfo, pdffonts) not installed"),
]


def _poppler(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603


def _assert_tagged_with_japanese_font(pdf: bytes, tmp_path) -> None:
    info = _poppler("pdfinfo", pdf, tmp_path)
    assert "Tagged:          yes" in info, info
    fonts = [line for line in _poppler("pdffonts", pdf, tmp_path).splitlines() if "IPAex" in line]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # emb column


def test_the_certificate_pdf_is_tagged(world, tmp_path):
    certificate = Certificate.objects.select_related("assignment").first()
    assert certificate is not None
    _assert_tagged_with_japanese_font(certificate_pdf(certificate=certificate), tmp_path)


def test_the_regulator_report_pdf_is_tagged(rf, world, tmp_path):
    request = rf.get("/")
    request.user = world["admin"]
    pdf = regulator_report_pdf(
        request=request,
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 6, 30),
        issued_at=dt.datetime(2026, 7, 15, 1, 0, tzinfo=dt.UTC),
        issued_by=world["admin"],
    )
    _assert_tagged_with_japanese_font(pdf, tmp_path)
