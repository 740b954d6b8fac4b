"""The id register: entries by auditors or the HR data, and dates from transfers and checklists."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from monitoring.importing import log_import_run
from monitoring.models import AccessEvent, SystemAccount
from monitoring.register import register_sync_from_transfers, register_upsert
from people import roles
from people.models import Company, Transfer
from tests.factories import monitoring as mf
from tests.factories import people as pf
from training.models import TransferChecklist

pytestmark = pytest.mark.django_db


def test_an_auditor_records_an_id_and_it_is_audited():
    auditor = pf.person(groups=(roles.COMPLIANCE_AUDITORS,))
    holder = pf.person()
    entry = register_upsert(
        system="grid_intranet", account_id=" N555 ", person=holder, origin=SystemAccount.Origin.MANUAL, by=auditor
    )
    assert (entry.account_id, entry.person, entry.origin) == ("N555", holder, "manual")
    audit = AuditEntry.objects.get(action="monitoring.register_created")
    assert audit.actor == auditor
    assert audit.detail["changed"]["person"] == holder.pk
    register_upsert(
        system="grid_intranet", account_id="N555", person=holder, by=auditor, removed_on=dt.date(2023, 2, 1)
    )
    assert SystemAccount.objects.get().removed_on == dt.date(2023, 2, 1)
    assert AuditEntry.objects.get(action="monitoring.register_updated").detail["changed"] == {
        "removed_on": "2023-02-01"
    }


def test_the_hr_data_may_record_ids_without_an_actor_but_nobody_else_may():
    register_upsert(system="customer_info", account_id="N1", person=pf.person(), origin=SystemAccount.Origin.HR)
    with pytest.raises(PermissionError):
        register_upsert(system="customer_info", account_id="N2", person=None, by=pf.person())
    assert list(SystemAccount.objects.values_list("account_id", flat=True)) == ["N1"]


def test_a_new_holder_is_given_to_the_events_already_imported():
    log_import_run(
        source=mf.source(),
        filename="a.csv",
        content=mf.log_file([("N9", "2022-01-05 09:00:00", "", "", "1", "")]),
    )
    holder = pf.person()
    register_upsert(system="customer_info", account_id="N9", person=holder)
    assert AccessEvent.objects.get().person == holder


def test_sync_dates_moves_from_the_grid_company_only_and_keeps_dates_already_set():
    grid = Company.objects.create(code="GRID", name="送配電", kind=Company.Kind.GRID)
    grid_unit = pf.unit("GRID-1", "配電部", in_company=grid)
    retail_a, retail_b = pf.unit("HACHINOHE"), pf.unit("SENDAI")
    from_grid, within_retail, already = pf.person(), pf.person(), pf.person()
    for p, account in ((from_grid, "N1"), (within_retail, "N2"), (already, "N3")):
        register_upsert(system="customer_info", account_id=account, person=p, origin=SystemAccount.Origin.HR)
    SystemAccount.objects.filter(account_id="N3").update(holder_moved_on=dt.date(2019, 1, 1))
    Transfer.objects.create(person=from_grid, from_unit=grid_unit, to_unit=retail_a, effective_on=dt.date(2020, 4, 1))
    Transfer.objects.create(
        person=within_retail, from_unit=retail_a, to_unit=retail_b, effective_on=dt.date(2020, 4, 1)
    )
    Transfer.objects.create(person=already, from_unit=grid_unit, to_unit=retail_a, effective_on=dt.date(2020, 4, 1))

    assert register_sync_from_transfers() == {"holder_moved_on": 1, "removal_due_on": 0}
    moved = dict(SystemAccount.objects.values_list("account_id", "holder_moved_on"))
    assert moved == {"N1": dt.date(2020, 4, 1), "N2": None, "N3": dt.date(2019, 1, 1)}
    assert AuditEntry.objects.get(action="monitoring.register_synced").detail["people"] == [from_grid.pk]


def test_sync_takes_the_removal_date_from_a_confirmed_checklist_only():
    unit_a, unit_b = pf.unit("HACHINOHE"), pf.unit("SENDAI")
    confirmed, pending = pf.person(), pf.person()
    for p, account in ((confirmed, "N1"), (pending, "N2")):
        register_upsert(system="customer_info", account_id=account, person=p, origin=SystemAccount.Origin.HR)
        transfer = Transfer.objects.create(person=p, from_unit=unit_a, to_unit=unit_b, effective_on=dt.date(2022, 1, 4))
        TransferChecklist.objects.create(
            transfer=transfer,
            person=p,
            to_unit=unit_b,
            due_at=dt.datetime(2022, 1, 20, tzinfo=dt.UTC),
            confirmed_items=[TransferChecklist.Item.OLD_IDS_UNUSED] if p == confirmed else [],
            confirmed_at=dt.datetime(2022, 1, 9, 16, 0, tzinfo=dt.UTC) if p == confirmed else None,
        )
    register_sync_from_transfers()
    removal = dict(SystemAccount.objects.values_list("account_id", "removal_due_on"))
    # 16:00 UTC on the 9th is the 10th in Tokyo.
    assert removal == {"N1": dt.date(2022, 1, 10), "N2": None}


def test_sync_leaves_an_auditors_own_entry_for_a_transferee_as_it_is():
    grid = Company.objects.create(code="GRID", name="送配電", kind=Company.Kind.GRID)
    grid_unit = pf.unit("GRID-1", "配電部", in_company=grid)
    auditor, mover = pf.person(groups=(roles.COMPLIANCE_AUDITORS,)), pf.person()
    register_upsert(system="customer_info", account_id="N1", person=mover, origin=SystemAccount.Origin.HR)
    register_upsert(
        system="grid_intranet", account_id="R1", person=mover, origin=SystemAccount.Origin.MANUAL, by=auditor
    )
    Transfer.objects.create(
        person=mover, from_unit=grid_unit, to_unit=pf.unit("HACHINOHE"), effective_on=dt.date(2024, 4, 1)
    )

    assert register_sync_from_transfers() == {"holder_moved_on": 1, "removal_due_on": 0}
    moved = dict(SystemAccount.objects.values_list("account_id", "holder_moved_on"))
    assert moved == {"N1": dt.date(2024, 4, 1), "R1": None}
