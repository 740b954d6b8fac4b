"""/training/ shows what people look for there: the modules of past cycles and every certificate."""

import re

import pytest
from django.urls import reverse

from tests.reports.conftest import world  # noqa: F401
from tests.training.conftest import make_module, make_quiz, org, training_index  # noqa: F401
from training.models import Certificate

pytestmark = pytest.mark.django_db


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, f"no section {heading_id}"
    return found.group(0)


def test_my_training_lists_every_certificate_with_its_download(client, world):  # noqa: F811
    person = world["hachi1"]
    certificates = list(Certificate.objects.filter(assignment__person=person))
    assert len(certificates) >= 2  # FY2025 (archived) and FY2026
    client.force_login(person)
    section = _section(client.get(reverse("training:my_training")).content.decode(), "certificates-heading")
    for certificate in certificates:
        assert certificate.code in section
        assert reverse("certificates:download", args=[certificate.pk]) in section


def test_my_training_always_has_a_history_section(client, world):  # noqa: F811
    client.force_login(world["hachi1"])
    history = _section(client.get(reverse("training:my_training")).content.decode(), "history-heading")
    assert "FY2025" in history or "2025" in history
    client.force_login(world["cc1"])  # a once-only module: nothing archived yet
    html = client.get(reverse("training:my_training")).content.decode()
    assert "history-heading" in html
    assert "certificates-heading" in html
