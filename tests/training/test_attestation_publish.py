"""Attestation versions: published only through the service by training administrators, never edited, hashed."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from people.roles import TRAINING_ADMINISTRATORS
from tests.factories import people as pf
from training import services
from training.models import AttestationDocument, AttestationVersion


@pytest.fixture
def trainer(org, make_person):
    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    return admin


@pytest.fixture
def document(org):
    return AttestationDocument.objects.create(title="グループ行動規範", slug="code", audience_everyone=True)


def test_only_training_administrators_publish(document, make_person):
    superuser = make_person(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionError):
        services.attestation_publish_version(document=document, body="<p>第1版</p>", material=True, actor=superuser)
    assert not document.versions.exists()


def test_each_version_stores_the_sha256_of_its_text(document, trainer):
    version = services.attestation_publish_version(document=document, body="<p>第1版</p>", material=True, actor=trainer)
    assert version.sha256 == hashlib.sha256("<p>第1版</p>".encode()).hexdigest()
    assert version.text_matches()
    entry = AuditEntry.objects.get(action="training.attestation_published")
    assert entry.actor_id == trainer.pk and entry.detail["sha256"] == version.sha256


def test_a_published_version_cannot_be_edited(document, trainer):
    version = services.attestation_publish_version(document=document, body="<p>第1版</p>", material=True, actor=trainer)
    version.body = "<p>こっそり変更</p>"
    with pytest.raises(ValidationError):
        version.save()
    assert AttestationVersion.objects.get(pk=version.pk).body == "<p>第1版</p>"


def test_publishing_from_the_portal_screen_goes_through_the_service(client, document, trainer):
    client.force_login(trainer)
    url = reverse("training:attestation_publish", args=[document.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"body": "第一条 <script>x</script>\n\n第二条", "material": "on", "change_note": "新設"}
    )
    assert response.status_code == 302
    version = document.versions.get()
    assert version.body == "<p>第一条 &lt;script&gt;x&lt;/script&gt;</p><p>第二条</p>"
    assert version.published_by == trainer and version.sha256 == AttestationVersion.text_sha256(version.body)
    assert AuditEntry.objects.filter(action="training.attestation_published", actor=trainer).count() == 1
    report = client.get(reverse("training:attestation_report", args=[document.slug])).content.decode()
    assert version.sha256 in report


def test_the_publish_screen_is_404_for_others(client, document, make_person):
    client.force_login(make_person())
    assert client.get(reverse("training:attestation_publish", args=[document.slug])).status_code == 404


def test_the_acknowledgement_shows_the_hash_of_the_text_acknowledged(client, document, trainer, make_person):
    version = services.attestation_publish_version(
        document=document, body="<p>守ります</p>", material=True, actor=trainer
    )
    person = make_person()
    services.attestation_acknowledge(person=person, version=version)
    client.force_login(person)
    assert version.sha256 in client.get(reverse("training:attestation", args=[document.slug])).content.decode()
    client.force_login(trainer)
    report = client.get(reverse("training:attestation_report", args=[document.slug])).content.decode()
    assert report.count(version.sha256) >= 2  # the version row and the acknowledgement row


def test_versions_are_no_longer_editable_as_snippets(client, document, trainer, make_person):
    version = services.attestation_publish_version(document=document, body="<p>第1版</p>", material=True, actor=trainer)
    superuser = make_person(is_superuser=True, is_staff=True)
    pf.enrol_totp(superuser)
    client.force_login(superuser)
    response = client.get(f"/admin/snippets/training/attestationversion/edit/{version.pk}/")
    assert response.status_code == 404
