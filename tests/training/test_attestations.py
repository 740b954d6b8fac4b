import pytest
from django.core.exceptions import ValidationError

from training import selectors, services
from training.models import Acknowledgement, AttestationDocument


@pytest.fixture
def trainer(org, make_person):
    from people.roles import TRAINING_ADMINISTRATORS
    from tests.factories import people as pf

    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    return admin


@pytest.fixture
def code_of_conduct(org, trainer):
    document = AttestationDocument.objects.create(
        title="グループ行動規範", slug="code-of-conduct", audience_everyone=True
    )
    services.attestation_publish_version(document=document, body="<p>第1版</p>", material=False, actor=trainer)
    return document


def pending(person) -> list[str]:
    return [p.document.slug for p in selectors.attestations_pending(person=person)]


def test_first_version_asks_everyone_even_if_not_marked_material(code_of_conduct, make_person):
    person = make_person()
    assert pending(person) == ["code-of-conduct"]
    services.attestation_acknowledge(person=person, version=code_of_conduct.versions.get(number=1))
    assert pending(person) == []


def test_material_version_asks_again_and_minor_does_not(code_of_conduct, make_person, trainer):
    person = make_person()
    v1 = code_of_conduct.versions.get(number=1)
    services.attestation_acknowledge(person=person, version=v1)

    services.attestation_publish_version(
        document=code_of_conduct, body="<p>誤字修正</p>", material=False, actor=trainer
    )
    assert pending(person) == []

    v3 = services.attestation_publish_version(
        document=code_of_conduct, body="<p>異動時の規定を追加</p>", material=True, actor=trainer
    )
    status = selectors.attestation_status(document=code_of_conduct, person=person)
    assert status.version == v3 and status.previously_acknowledged == v1
    services.attestation_acknowledge(person=person, version=v3)
    assert pending(person) == []
    # History: both acknowledgements stay, each tied to its version.
    assert [a.version.number for a in selectors.acknowledgements_of(document=code_of_conduct)] == [1, 3]


def test_only_the_latest_version_can_be_acknowledged(code_of_conduct, make_person, trainer):
    person = make_person()
    v1 = code_of_conduct.versions.get(number=1)
    services.attestation_publish_version(document=code_of_conduct, body="<p>第2版</p>", material=True, actor=trainer)
    with pytest.raises(ValidationError):
        services.attestation_acknowledge(person=person, version=v1)
    assert not Acknowledgement.objects.exists()


def test_audience_limits_who_is_asked(org, make_person, trainer):
    document = AttestationDocument.objects.create(title="CC端末ルール", slug="cc-terminals")
    document.audience_units.add(org["CC"])
    services.attestation_publish_version(document=document, body="<p>端末ルール</p>", material=True, actor=trainer)
    assert pending(make_person(unit_code="CC")) == ["cc-terminals"]
    assert pending(make_person(unit_code="HACHINOHE")) == []


def test_acknowledging_through_the_page(client, code_of_conduct, make_person):
    person = make_person()
    client.force_login(person)
    page = client.get("/training/attestations/code-of-conduct/")
    assert page.status_code == 200 and "第1版" in page.content.decode()
    client.post("/training/attestations/code-of-conduct/")
    assert Acknowledgement.objects.filter(person=person, version__number=1).exists()


def test_administrators_see_every_version_and_who_still_owes(
    client, code_of_conduct, make_person, django_assert_max_num_queries, trainer
):
    admin = trainer
    early = make_person(family_name="早川")
    services.attestation_acknowledge(person=early, version=code_of_conduct.versions.get(number=1))
    v2 = services.attestation_publish_version(
        document=code_of_conduct, body="<p>改訂</p>", material=True, actor=trainer
    )
    late = make_person(family_name="遅野")
    services.attestation_acknowledge(person=late, version=v2)
    summary = selectors.attestation_summary(document=code_of_conduct)
    assert summary["audience"] == 3 and summary["pending"] == 2  # the admin and `early` owe v2
    client.force_login(admin)
    with django_assert_max_num_queries(30):
        html = client.get("/training/manage/attestations/code-of-conduct/").content.decode()
    assert "早川" in html and "遅野" in html  # the old acknowledgement of v1 stays listed
    client.force_login(early)
    assert client.get("/training/manage/attestations/code-of-conduct/").status_code == 404


def test_a_change_of_audience_is_seen_at_once_although_the_documents_are_cached(org, make_person, trainer):
    document = AttestationDocument.objects.create(title="CC端末ルール", slug="cc-terminals")
    document.audience_units.add(org["CC"])
    services.attestation_publish_version(document=document, body="<p>端末ルール</p>", material=True, actor=trainer)
    office = make_person(unit_code="HACHINOHE")
    assert pending(office) == []  # the catalogue is now cached
    document.audience_units.add(org["SALES"])  # the division: its offices with it
    assert pending(office) == ["cc-terminals"]
    document.audience_units.remove(org["SALES"])
    assert pending(office) == []
    document.audience_everyone = True
    document.save()
    assert pending(office) == ["cc-terminals"]


def test_a_reader_costs_one_query_once_the_documents_are_cached(code_of_conduct, make_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.queries import person_for_request

    person = person_for_request(make_person().pk)
    assert pending(person) == ["code-of-conduct"]
    with CaptureQueriesContext(connection) as queries:
        assert pending(person) == ["code-of-conduct"]
    assert len(queries) == 1  # their acknowledgements (before: five per document, and one more)
