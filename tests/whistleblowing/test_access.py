"""Acceptance 5 and 6, and the 404 rule: only the register plus a sealed key opens a case."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS, SITE_ADMINISTRATORS
from tests.factories import hotline as hotline_factories
from whistleblowing import casework, crypto, handlers
from whistleblowing.models import CaseKey, HandlerKey

from .conftest import PASSPHRASE, private_key


def _case_urls(case):
    base = f"/hotline/cases/{case.public_id}/"
    return [base, base + "conflict/", base + "status/", base + "entries/", base + "grant/", base + "measures/"]


@pytest.fixture
def admin(mfa_user):
    return mfa_user(SITE_ADMINISTRATORS, email="root@example.jp", is_superuser=True, is_staff=True)


def test_superuser_and_compliance_staff_get_404_on_every_case_address(admin, compliance, handler, file_report):
    case, _ = file_report()
    for person in (admin, compliance):
        client = Client()
        client.force_login(person)
        assert client.get("/hotline/cases/").status_code == 404
        for url in _case_urls(case):
            assert client.get(url).status_code in (404, 405)
            assert client.post(url, {"status": "acknowledged", "declaration": "no"}).status_code == 404


def test_group_membership_without_a_designation_opens_nothing(mfa_user, handler, file_report):
    case, _ = file_report()
    impostor = mfa_user(DESIGNATED_HANDLERS, email="group-only@example.jp")
    client = Client()
    client.force_login(impostor)
    assert client.get("/hotline/cases/").status_code == 404
    assert client.get(f"/hotline/cases/{case.public_id}/").status_code == 404


def test_excluded_handler_has_no_sealed_key_and_cannot_read_even_with_the_database(
    make_handler, handler, handler_client, file_report
):
    excluded = make_handler("too-close@example.jp")
    case, _ = file_report(what="EXCLUSION-MARKER", excluded=[excluded])
    assert not CaseKey.objects.filter(case=case, handler=excluded).exists()
    assert CaseKey.objects.filter(case=case, handler=handler).exists()
    # With the whole database and their own private key, nothing opens.
    excluded_private = private_key(excluded)
    for sealed in CaseKey.objects.values_list("sealed_key", flat=True):
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(excluded_private, sealed)
    client = handler_client(excluded)
    assert client.get(f"/hotline/cases/{case.public_id}/").status_code == 404
    assert "EXCLUSION-MARKER" not in client.get("/hotline/cases/").content.decode()
    # Nor can another handler grant it to them.
    report_key = casework.case_report_key(case=case, handler=handler, private_key=private_key(handler))
    with pytest.raises(ValidationError):
        casework.case_grant(case=case, granter=handler, grantee=excluded, report_key=report_key)
    assert not CaseKey.objects.filter(case=case, handler=excluded).exists()


def test_intake_refuses_when_every_receiving_handler_is_excluded(handler, file_report):
    with pytest.raises(ValidationError):
        file_report(excluded=[handler])


def test_revoking_a_designation_removes_access_at_once(compliance, handler, handler_client, file_report):
    case, _ = file_report()
    client = handler_client(handler)
    client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    assert client.get(f"/hotline/cases/{case.public_id}/").status_code == 200
    designation = handler.hotline_designations.get()
    handlers.revoke_designation(designation=designation, by=compliance)
    # Same browser session, key still "unlocked": the register is consulted on every request.
    assert client.get(f"/hotline/cases/{case.public_id}/").status_code == 404
    assert client.get("/hotline/cases/").status_code == 404
    assert not CaseKey.objects.filter(handler=handler).exists()
    assert not HandlerKey.objects.filter(person=handler).exists()
    handler.refresh_from_db()
    assert not handler.groups.filter(name=DESIGNATED_HANDLERS).exists()


def test_granting_gives_another_handler_access_to_an_existing_case(handler, make_handler, handler_client, file_report):
    case, _ = file_report(what="GRANT-MARKER")
    colleague = make_handler("colleague@example.jp")  # designated after the report was filed
    colleague_client = handler_client(colleague)
    assert colleague_client.get(f"/hotline/cases/{case.public_id}/").status_code == 404
    client = handler_client(handler)
    client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    response = client.post(f"/hotline/cases/{case.public_id}/grant/", {"handler": colleague.pk})
    assert response.status_code == 302
    assert CaseKey.objects.get(case=case, handler=colleague).granted_by == handler
    assert colleague_client.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"}).status_code == 302
    assert "GRANT-MARKER" in colleague_client.get(f"/hotline/cases/{case.public_id}/").content.decode()


def test_handler_without_a_key_is_sent_to_key_setup_and_cannot_be_granted(make_handler, handler, file_report):
    newcomer = make_handler("newcomer@example.jp", with_key=False)
    client = Client()
    client.force_login(newcomer)
    response = client.get("/hotline/cases/")
    assert response.status_code == 302 and response["Location"] == "/hotline/cases/key/"
    case, _ = file_report()
    report_key = casework.case_report_key(case=case, handler=handler, private_key=private_key(handler))
    with pytest.raises(ValidationError):
        casework.case_grant(case=case, granter=handler, grantee=newcomer, report_key=report_key)


def test_handler_without_mfa_is_sent_to_enrolment(make_person, compliance):
    person = make_person(groups=(DESIGNATED_HANDLERS,))
    hotline_factories.designate(person=person, by=compliance)
    client = Client()
    client.force_login(person)
    response = client.get("/hotline/cases/")
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_key_setup_shows_a_recovery_key_once_and_unlocks(make_handler):
    person = make_handler("fresh@example.jp", with_key=False)
    client = Client()
    client.force_login(person)
    response = client.post("/hotline/cases/key/", {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE})
    assert response.status_code == 200
    recovery = response.context["recovery_key"]
    key = HandlerKey.objects.get(person=person)
    for column in ("private_key_box", "recovery_box", "passphrase_salt"):
        assert recovery.encode() not in bytes(getattr(key, column))
    assert client.get("/hotline/cases/").context["unlocked"] is True
    # A second visit does not show a recovery key again.
    assert client.get("/hotline/cases/key/").status_code == 302


def test_recovery_key_restores_access_with_a_new_passphrase(handler, file_report):
    case, _ = file_report()
    with pytest.raises(ValidationError):
        handlers.handler_key_recover(person=handler, recovery_key="WRONG-KEY", new_passphrase="another long passphrase")
    private, new_recovery = handlers.handler_key_recover(
        person=handler, recovery_key=handler.recovery_key.lower(), new_passphrase="another long passphrase"
    )
    assert new_recovery != handler.recovery_key
    with pytest.raises(ValidationError):
        handlers.handler_key_unlock(person=handler, passphrase=PASSPHRASE)
    assert handlers.handler_key_unlock(person=handler, passphrase="another long passphrase") == private
    assert casework.case_report_key(case=case, handler=handler, private_key=private)
    with pytest.raises(ValidationError):  # the old recovery key is spent
        handlers.handler_key_recover(
            person=handler, recovery_key=handler.recovery_key, new_passphrase="otter-lantern-quarry-mosaic-41"
        )


def test_unlocked_key_is_never_in_the_session_store_in_clear(handler, handler_client):
    from django.contrib.sessions.models import Session

    client = handler_client(handler)
    private = private_key(handler)
    for session in Session.objects.all():
        raw = session.session_data.encode()
        assert crypto.b64(private).encode() not in raw
        decoded = str(session.get_decoded())
        assert crypto.b64(private) not in decoded
    cookie = client.cookies["hotline_unlock"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["max-age"] and not cookie["expires"]
    assert crypto.b64(private) != cookie.value
    # Without the cookie the session copy is useless: the handler is asked to unlock again.
    del client.cookies["hotline_unlock"]
    assert client.get("/hotline/cases/").context["unlocked"] is False


def test_wrong_passphrase_is_refused(handler):
    client = Client()
    client.force_login(handler)
    response = client.post("/hotline/cases/key/unlock/", {"passphrase": "not my passphrase"})
    assert response.status_code == 200
    assert response.context["form"].errors["passphrase"]
    assert "hotline_unlock" not in response.cookies


def test_register_is_kept_by_compliance_editors_only(compliance, admin, make_person):
    from whistleblowing.models import HandlerDesignation
    from whistleblowing.wagtail_hooks import RegisterPermissionPolicy

    policy = RegisterPermissionPolicy(HandlerDesignation)
    assert policy.user_has_permission(compliance, "add")
    assert not policy.user_has_permission(compliance, "delete")
    assert not policy.user_has_permission(admin, "add")
    assert compliance.in_group(COMPLIANCE_EDITORS)
    candidate = make_person(email="new-handler@example.jp")
    client = Client()
    client.force_login(compliance)
    response = client.post("/admin/hotline_handlers/new/", {"person": candidate.pk, "designated_on": "2026-11-25"})
    assert response.status_code == 302, response.content.decode()[:2000]
    designation = HandlerDesignation.objects.get(person=candidate)
    assert designation.designated_by == compliance
    # Proposed only: the proposer cannot approve it, a second compliance editor can.
    assert not candidate.groups.filter(name=DESIGNATED_HANDLERS).exists()
    response = client.post(f"/admin/hotline_handlers/edit/{designation.pk}/", {"approve": "on"})
    assert response.status_code == 200
    designation.refresh_from_db()
    assert designation.approved_at is None
    second = Client()
    second.force_login(hotline_factories.second_approver())
    response = second.post(f"/admin/hotline_handlers/edit/{designation.pk}/", {"approve": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    designation.refresh_from_db()
    assert designation.approved_at is not None
    candidate.refresh_from_db()
    assert candidate.groups.filter(name=DESIGNATED_HANDLERS).exists()
    response = client.post(f"/admin/hotline_handlers/edit/{designation.pk}/", {"revoke": "on"})
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.revoked_at is not None
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(
        "/admin/hotline_handlers/new/", {"person": candidate.pk, "designated_on": "2026-11-25"}
    )
    assert response.status_code in (302, 403)
    assert HandlerDesignation.objects.filter(person=candidate, revoked_at__isnull=True).count() == 0


def test_revoking_the_only_holder_of_an_open_case_needs_an_explicit_confirmation(compliance, handler, file_report):
    case, _ = file_report()
    designation = handler.hotline_designations.get()
    client = Client()
    client.force_login(compliance)
    url = f"/admin/hotline_handlers/edit/{designation.pk}/"
    response = client.post(url, {"revoke": "on"})
    assert response.status_code == 200  # the form asks for the confirmation
    designation.refresh_from_db()
    assert designation.revoked_at is None and CaseKey.objects.filter(case=case).exists()
    assert client.post(url, {"revoke": "on", "confirm_orphaned": "on"}).status_code == 302
    designation.refresh_from_db()
    assert designation.revoked_at is not None and not CaseKey.objects.filter(case=case).exists()


def test_a_handler_without_a_key_yet_can_be_excluded_and_is_never_granted_the_case(make_handler, handler, file_report):
    newcomer = make_handler("keyless-yet@example.jp", with_key=False)
    client = Client()
    form = client.get("/hotline/").context["form"]
    assert str(newcomer) in dict(form.fields["excluded"].choices).values()
    case, _ = file_report(excluded=[newcomer])
    handlers.handler_key_setup(person=newcomer, passphrase=PASSPHRASE)
    report_key = casework.case_report_key(case=case, handler=handler, private_key=private_key(handler))
    with pytest.raises(ValidationError):
        casework.case_grant(case=case, granter=handler, grantee=newcomer, report_key=report_key)
    assert not CaseKey.objects.filter(case=case, handler=newcomer).exists()
