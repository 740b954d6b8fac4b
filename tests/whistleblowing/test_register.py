"""The register of designated handlers (issue 14 items 1 and 2, acceptance 2).

Designation takes two people, every handler hears of each change, the public intake lists
exactly the register (names only), and a superuser with every permission, the database and
SECRET_KEY cannot read a report or make themselves able to read one alone.
"""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEntry
from people.models import Person
from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS, SITE_ADMINISTRATORS
from tests.factories import hotline as hotline_factories
from tests.portal.conftest import demo  # noqa: F401 - fixture
from whistleblowing import demo as hotline_demo
from whistleblowing import handlers, selectors
from whistleblowing.models import Case, CaseKey, HandlerDesignation

from .conftest import PASSPHRASE


@pytest.fixture
def admin(mfa_user):
    return mfa_user(SITE_ADMINISTRATORS, email="root@example.jp", is_superuser=True, is_staff=True)


def test_the_intake_lists_exactly_the_designated_handlers_with_the_whole_demo_staff(demo):  # noqa: F811
    """Item 1, on the full demo data: one designated handler, one name in the exclusion list."""
    from whistleblowing.demo import load as load_hotline

    load_hotline(io.StringIO())
    # The whole demo staff (people.demo, as `manage.py demo` loads it), not a handful of factories.
    assert Person.objects.count() == 418  # 387 staff, the compliance auditor and 30 grid staff (issue 18)
    assert HandlerDesignation.objects.count() == 1
    response = Client().get("/hotline/")
    assert response.status_code == 200
    choices = response.context["form"].fields["excluded"].choices
    handler = Person.objects.get(email="handler@example.jp")
    assert [label for _value, label in choices] == [str(handler)]
    page = response.content.decode()
    # Names only: the choice is the designation's number, not the person's; no e-mail address.
    assert choices[0][0] == str(HandlerDesignation.objects.get(person=handler).pk) != str(handler.pk)
    assert handler.email not in page
    assert page.count('name="excluded"') == 1


def test_a_proposed_designation_is_not_in_force_until_a_second_person_approves(make_person, compliance):
    person = make_person(email="candidate@example.jp")
    designation = handlers.designate_handler(person=person, by=compliance)
    assert designation.is_proposed and not handlers.may_keep_register(person=person)
    assert person not in selectors.active_handlers()
    with pytest.raises(ValidationError):
        handlers.handler_key_setup(person=person, passphrase=PASSPHRASE)
    with pytest.raises(ValidationError):  # the proposer cannot approve
        handlers.designation_approve(designation=designation, by=compliance)
    with pytest.raises(ValidationError):  # nor the person designated
        handlers.designation_approve(designation=designation, by=person)
    handlers.designation_approve(designation=designation, by=hotline_factories.second_approver())
    assert person in selectors.active_handlers()
    assert person.groups.filter(name=DESIGNATED_HANDLERS).exists()
    entry = AuditEntry.objects.get(action="hotline.handler_designated")
    assert entry.detail == {"person": person.pk, "proposed_by": compliance.pk}


def test_nobody_proposes_themselves_and_only_register_keepers_take_part(make_person, compliance):
    outsider = make_person(email="outsider@example.jp")
    with pytest.raises(ValidationError):
        handlers.designate_handler(person=compliance, by=compliance)
    with pytest.raises(ValidationError):
        handlers.designate_handler(person=make_person(), by=outsider)
    designation = handlers.designate_handler(person=make_person(), by=compliance)
    with pytest.raises(ValidationError):
        handlers.designation_approve(designation=designation, by=outsider)
    assert not HandlerDesignation.objects.filter(approved_at__isnull=False).exists()


def test_an_existing_handler_can_approve_and_every_handler_hears_of_each_change(
    make_handler, make_person, compliance, mailoutbox, django_capture_on_commit_callbacks
):
    first = make_handler("first-handler@example.jp")
    second = make_handler("second-handler@example.jp")
    mailoutbox.clear()
    candidate = make_person(email="third@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        designation = handlers.designate_handler(person=candidate, by=compliance)
    with django_capture_on_commit_callbacks(execute=True):
        handlers.designation_approve(designation=designation, by=first)
    with django_capture_on_commit_callbacks(execute=True):
        handlers.revoke_designation(designation=designation, by=compliance)
    told = sorted((m.to[0], m.subject) for m in mailoutbox)
    # Proposal and approval reach both handlers (and the approval the newcomer); the revocation the two.
    assert [to for to, _s in told].count(first.email) == 3
    assert [to for to, _s in told].count(second.email) == 3
    assert [to for to, _s in told].count(candidate.email) == 1
    for message in mailoutbox:
        assert candidate.get_full_name() not in message.body and candidate.email not in message.body


def test_a_superuser_with_every_permission_cannot_read_a_report_nor_become_a_handler_alone(
    admin, compliance, handler, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    """Acceptance 2. The superuser holds every Django and Wagtail permission, can put themselves in
    any group, and has the database and SECRET_KEY at hand. They cannot read the existing report,
    and a future one is sealed to them only after a second person approved, which every handler hears."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    from whistleblowing import crypto, tokens

    case, _receipt = file_report(what="SUPERUSER-MUST-NOT-READ", identity="SUPERUSER-MUST-NOT-SEE-WHO")
    superuser = Person.objects.get(pk=admin.pk)
    Person.objects.filter(pk=superuser.pk).update(is_superuser=True, is_staff=True)
    superuser.user_permissions.set(Permission.objects.all())
    # Wagtail's own permissions are per page tree and collection, through groups: all of them, at the roots.
    everything = Group.objects.create(name="Everything")
    everything.permissions.set(Permission.objects.all())
    for permission in Permission.objects.filter(content_type__app_label="wagtailcore"):
        GroupPagePermission.objects.get_or_create(
            group=everything, page=Page.get_first_root_node(), permission=permission
        )
        GroupCollectionPermission.objects.get_or_create(
            group=everything, collection=Collection.get_first_root_node(), permission=permission
        )
    superuser.groups.add(everything)
    superuser.refresh_from_db()
    assert superuser.has_perms([f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()])
    client = Client()
    client.force_login(superuser)
    for url in ("/hotline/cases/", f"/hotline/cases/{case.public_id}/", f"/hotline/cases/{case.public_id}/conflict/"):
        assert client.get(url).status_code == 404
    # Nothing stored opens the case with what the superuser holds: the report key exists only
    # sealed to the handler's public key and wrapped under the receipt code; SECRET_KEY opens nothing.
    stored = [case.content_box, case.identity_box, case.reporter_key_box]
    stored += [bytes(b) for b in CaseKey.objects.values_list("sealed_key", flat=True)]
    from whistleblowing.models import HandlerKey

    for row in HandlerKey.objects.values_list("private_key_box", "recovery_box", "public_key"):
        stored += [bytes(b) for b in row]
    private_key = handlers.handler_key_unlock(person=handler, passphrase=PASSPHRASE)
    for column in stored:
        column = bytes(column)
        assert b"SUPERUSER-MUST-NOT" not in column
        assert settings.SECRET_KEY.encode() not in column and private_key not in column
    for candidate in (tokens._token_key(), settings.SECRET_KEY.encode()[:32].ljust(32, b"\0")):
        for column in (case.content_box, case.identity_box, case.reporter_key_box):
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(candidate, bytes(column))
    # They make themselves a compliance editor and a member of the handlers' group, and try to
    # designate themselves.
    superuser.groups.add(Group.objects.get_or_create(name=COMPLIANCE_EDITORS)[0])
    superuser.groups.add(Group.objects.get_or_create(name=DESIGNATED_HANDLERS)[0])
    superuser.__dict__.pop("_group_names", None)
    response = client.post("/admin/hotline_handlers/new/", {"person": superuser.pk, "designated_on": "2026-11-25"})
    assert response.status_code == 200  # the form shows the refusal
    assert not HandlerDesignation.objects.filter(person=superuser).exists()
    assert client.get("/hotline/cases/").status_code == 404  # group membership alone opens nothing
    # A proposal by someone else still needs a second person; the superuser cannot approve it.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = handlers.designate_handler(person=superuser, by=hotline_factories.second_approver())
    assert handler.email in [m.to[0] for m in mailoutbox]  # the existing handler hears of the proposal
    response = client.post(f"/admin/hotline_handlers/edit/{proposal.pk}/", {"approve": "on"})
    proposal.refresh_from_db()
    assert response.status_code == 200 and proposal.approved_at is None
    with pytest.raises(ValidationError):
        handlers.designation_approve(designation=proposal, by=superuser)
    with pytest.raises(ValidationError):
        handlers.handler_key_setup(person=superuser, passphrase=PASSPHRASE)
    # A report filed now is not sealed to them.
    later, _ = file_report(what="STILL-NOT-FOR-THE-SUPERUSER")
    assert not CaseKey.objects.filter(handler=superuser).exists()
    assert list(CaseKey.objects.filter(case=later).values_list("handler_id", flat=True)) == [handler.pk]
    assert client.get(f"/hotline/cases/{later.public_id}/").status_code == 404
    # Only a second person's approval puts them in the register, and every handler hears of it.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handlers.designation_approve(designation=proposal, by=compliance)
    assert handler.email in [m.to[0] for m in mailoutbox]
    handlers.handler_key_setup(person=superuser, passphrase=PASSPHRASE)
    future, _ = file_report(what="AFTER-APPROVAL")
    assert CaseKey.objects.filter(case=future, handler=superuser).exists()
    # The reports from before stay closed to them: no key was ever sealed to them for those.
    assert not CaseKey.objects.filter(case__in=[case, later], handler=superuser).exists()
    assert Case.objects.count() == 3


def test_the_demo_handler_is_designated_by_two_people_with_a_key_and_the_hotline_accepts_reports(demo):  # noqa: F811
    from whistleblowing.demo import DEMO_HANDLER_PASSPHRASE, load

    load(io.StringIO())
    load(io.StringIO())  # idempotent
    handler = Person.objects.get(email="handler@example.jp")
    designation = HandlerDesignation.objects.get(person=handler)
    assert designation.designated_by.email == "compliance@example.jp"
    assert designation.approved_by not in (None, designation.designated_by, handler)
    assert handlers.handler_key_unlock(person=handler, passphrase=DEMO_HANDLER_PASSPHRASE)
    assert Client().get("/hotline/").status_code == 200


def test_print_logins_shows_the_demo_handlers_passphrase():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("demo", "--print-logins", stdout=out)
    assert hotline_demo.DEMO_HANDLER_PASSPHRASE in out.getvalue()


def test_a_handler_approves_a_proposal_on_the_hotlines_register_page(handler, make_person, compliance):
    candidate = make_person(email="proposed-on-page@example.jp")
    designation = handlers.designate_handler(person=candidate, by=compliance)
    client = Client()
    client.force_login(handler)
    page = client.get("/hotline/cases/register/")
    assert page.status_code == 200 and str(candidate) in page.content.decode()
    assert client.post("/hotline/cases/register/", {"designation": designation.pk}).status_code == 302
    designation.refresh_from_db()
    assert designation.approved_by == handler
    # The newcomer cannot approve anything about themselves, and outsiders get 404.
    outsider = Client()
    outsider.force_login(make_person(email="not-a-handler@example.jp"))
    assert outsider.get("/hotline/cases/register/").status_code == 404
