"""The demo's access logs: the seed's cases are found again, the grid staff's own work raises
nothing, the employee notice is published, and loading twice changes nothing."""

import io

import pytest
from django.db.models import Count
from django.test import Client

from monitoring import demo as monitoring_demo
from monitoring.models import AccessEvent, Finding, LogImport, Rule, SystemAccount, Terminal
from people.models import Company, Person, Transfer
from portal.models import RulePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from people.demo import load as load_people
    from portal.demo import load as load_portal

    out = io.StringIO()
    load_portal(out)
    load_people(out)
    monitoring_demo.load(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (LogImport, AccessEvent, Finding, SystemAccount, Terminal, Transfer, RulePage)
    )


def test_every_rule_finds_the_seeds_cases_in_the_demo_logs(demo):
    by_kind = dict(Finding.objects.values_list("rule__kind").annotate(n=Count("pk")).order_by())
    assert set(by_kind) == set(Rule.Kind.values), by_kind
    assert all(by_kind[kind] >= 1 for kind in Rule.Kind.values)
    # The three systems' files were read (cp932 and UTF-8 in UTC), one line refused in one file.
    assert LogImport.objects.filter(status=LogImport.Status.DONE).count() == 6
    assert sum(len(i.errors) for i in LogImport.objects.all()) >= 1
    # The cases: 八戸's shared counter, the call-centre burst, old grid ids, contractors, temp staff.
    shared = Finding.objects.filter(rule__kind=Rule.Kind.SHARED_TERMINAL)
    assert shared.filter(person__email="sales@example.jp").exists()
    assert Finding.objects.filter(rule__kind=Rule.Kind.BURST, person__employee_number="M300007").exists()
    assert set(Finding.objects.filter(rule__kind=Rule.Kind.ID_AFTER_MOVE).values_list("account_id", flat=True)) <= set(
        SystemAccount.objects.filter(origin="transfer").values_list("account_id", flat=True)
    )
    assert Finding.objects.filter(
        rule__kind=Rule.Kind.CONTRACTOR_PURPOSE, person__company__kind=Company.Kind.CONTRACTOR
    ).exists()
    assert Finding.objects.filter(person__email="temp@example.jp").exists()


def test_the_grid_staffs_own_work_raises_nothing(demo):
    grid_events = AccessEvent.objects.filter(person__company__kind=Company.Kind.GRID)
    assert grid_events.count() > 1000  # most of the traffic
    assert not Finding.objects.filter(person__company__kind=Company.Kind.GRID).exists()
    # Retail staff using the public switching lookup on their own terminals raise nothing either.
    lookups = AccessEvent.objects.filter(record_type="供給地点照会", person__company__kind=Company.Kind.RETAILER)
    assert lookups.exists()
    flagged = Finding.objects.filter(person__in=lookups.values("person")).values_list("person", flat=True)
    assert lookups.exclude(person__in=flagged).exists()


def test_the_demo_auditor_logs_in_and_the_notice_is_published(demo):
    assert RulePage.objects.live().filter(title="アクセスログのモニタリングについて").exists()
    auditor = Person.objects.get(email="auditor@example.jp")
    assert auditor.check_password("portal-demo-2026")
    assert auditor.in_group("compliance_auditors") and not auditor.is_superuser
    client = Client()
    login = {"login": "auditor@example.jp", "password": "portal-demo-2026"}
    assert client.post("/accounts/login/", login).status_code == 302
    # MFA first (compliance_auditors is in PORTAL_MFA_REQUIRED_GROUPS), as for compliance@example.jp.
    assert "/accounts/2fa/" in client.get("/monitoring/")["Location"]


def test_loading_twice_changes_nothing(demo):
    before = counts()
    out = io.StringIO()
    monitoring_demo.load(out)
    assert counts() == before
    assert "already imported" in out.getvalue()
