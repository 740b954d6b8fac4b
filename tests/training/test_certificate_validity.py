"""Certificates carry a valid-until; an expired one verifies as expired (frozen clock)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from training import services
from training.models import Assignment
from training.pdf import certificate_pdf

from .conftest import jst, read_lesson


def complete(module, person, *, on: dt.datetime) -> Assignment:
    with time_machine.travel(on, tick=False):
        services.assignments_sync()
        assignment = Assignment.objects.get(person=person, module=module)
        for key in module.lesson_keys():
            read_lesson(assignment=assignment, lesson_key=key)
    return Assignment.objects.get(pk=assignment.pk)


def test_valid_until_the_end_of_the_cycles_fiscal_year(make_module, make_person):
    module = make_module("annual", everyone=True, lesson_count=1)
    assignment = complete(module, make_person(), on=jst(2025, 6, 10, 9, 0))
    assert assignment.cycle == "FY2025"
    assert assignment.certificate.valid_until == dt.date(2026, 3, 31)


def test_a_modules_own_validity_in_months_counts_from_completion(make_module, make_person):
    module = make_module("insider", everyone=True, lesson_count=1, certificate_valid_months=18)
    assignment = complete(module, make_person(), on=jst(2025, 8, 31, 9, 0))
    assert assignment.certificate.valid_until == dt.date(2027, 2, 28)  # no 31 February


@pytest.fixture
def fy2025_certificate(make_module, make_person):
    module = make_module("annual", everyone=True, lesson_count=1)
    return complete(module, make_person(), on=jst(2025, 6, 10, 9, 0)).certificate


def test_verify_page_shows_valid_until_while_valid(client, fy2025_certificate):
    with time_machine.travel(jst(2026, 3, 31, 23, 0), tick=False):
        html = client.get(reverse("certificates:verify", args=[fy2025_certificate.code])).content.decode()
    assert "有効期限" in html and "2026-03-31" in html
    assert "verify-ok" in html and "verify-expired" not in html


def test_an_expired_certificate_verifies_as_expired(client, fy2025_certificate):
    """Acceptance 4: on 1 April 2026 (JST) the FY2025 certificate is genuine but expired."""
    with time_machine.travel(jst(2026, 4, 1, 0, 0, 1), tick=False):
        response = client.get(reverse("certificates:verify", args=[fy2025_certificate.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "verify-expired" in html and "有効期限切れ" in html
    assert "verify-ok" not in html


def test_the_pdf_states_the_valid_until_date(fy2025_certificate, monkeypatch):
    captured = {}
    import weasyprint

    real_html = weasyprint.HTML

    def spy(*args, **kwargs):
        captured["html"] = kwargs.get("string", "")
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    pdf = certificate_pdf(certificate=fy2025_certificate, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF")
    assert "有効期限" in captured["html"] and "2026年3月31日" in captured["html"]
