"""The five rules on logs holding the seed's patterns and clean traffic.

Each test imports a log through the real importer (the rules run after it) and looks at the findings
of one rule: the pattern is found, the innocent traffic beside it is not.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.importing import log_import_run
from monitoring.models import ContractPurpose, Finding, Rule, SystemAccount, Terminal
from monitoring.register import register_upsert
from monitoring.rules import rules_run
from people.models import Transfer
from tests.factories import monitoring as mf
from tests.factories import people as pf
from training.models import TransferChecklist

pytestmark = pytest.mark.django_db

CONTRACT = "契約情報"  # non-public in the test source
NOTICE = "お知らせ"  # public


def person(org, unit: str, company: str | None = None, **extra):
    p = pf.person(unit_code=org["units"][unit].code, **extra)
    p.company = org[company] if company else org["units"][unit].company
    p.save(update_fields=["company"])
    return p


def holds(p, account_id: str, system: str = "customer_info"):
    return register_upsert(system=system, account_id=account_id, person=p, origin=SystemAccount.Origin.HR)


def import_rows(rows, name="log.csv", **source):
    return log_import_run(source=mf.source(non_public=(CONTRACT,), **source), filename=name, content=mf.log_file(rows))


def view(account, at, record, *, terminal="GRID-PC-1", kind=CONTRACT, new_entrant="1"):
    return (account, at, terminal, kind, record, new_entrant)


def findings(kind: str):
    return Finding.objects.filter(rule__kind=kind).order_by("account_id", "on_date")


# --- retail staff viewing non-public grid information ------------------------------------------


def test_retail_staff_viewing_non_public_records_are_flagged_grid_staff_are_not(org):
    seller = person(org, "retail")
    engineer = person(org, "grid")
    holds(seller, "R001")
    holds(engineer, "N001")
    import_rows(
        [
            view("R001", "2022-06-01 10:00:00", "1001"),
            view("R001", "2022-06-01 10:05:00", "1002"),
            view("R001", "2022-06-02 11:00:00", "1003", kind=NOTICE),  # public: fine
            view("N001", "2022-06-01 10:00:00", "1001"),  # grid staff at work
        ]
    )
    [finding] = findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)
    assert (finding.account_id, finding.person, finding.unit) == ("R001", seller, org["units"]["retail"])
    assert finding.on_date == dt.date(2022, 6, 1)
    assert (finding.event_count, finding.record_count) == (2, 2)
    assert finding.key == "retail_views_non_public:customer_info:R001:2022-06-01"


def test_staffing_agency_staff_placed_in_a_retail_unit_count_as_retail_side(org):
    temp = person(org, "call", company="staffing", etype="TEMP")
    holds(temp, "T001")
    import_rows([view("T001", "2022-06-01 10:00:00", "1001")])
    assert [f.person for f in findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)] == [temp]


def test_an_empty_non_public_list_makes_every_record_of_the_source_non_public(org):
    holds(person(org, "retail"), "R001")
    log_import_run(
        source=mf.source("stats", system="record_statistics"),
        filename="stats.csv",
        content=mf.log_file([view("R001", "2022-06-01 10:00:00", "1001", kind="任意")]),
    )
    assert findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).count() == 0  # R001 is registered for customer_info only
    holds(person(org, "retail"), "R009", system="record_statistics")
    log_import_run(
        source=mf.source("stats"),
        filename="stats2.csv",
        content=mf.log_file([view("R009", "2022-06-01 10:00:00", "1001", kind="任意")]),
    )
    assert [f.account_id for f in findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)] == ["R009"]


def test_a_person_is_judged_by_the_unit_they_were_in_on_the_day(org):
    mover = person(org, "retail")  # now in retail, in grid until 2022-04-01
    Transfer.objects.create(
        person=mover, from_unit=org["units"]["grid"], to_unit=org["units"]["retail"], effective_on=dt.date(2022, 4, 1)
    )
    holds(mover, "N777")
    import_rows([view("N777", "2022-03-31 10:00:00", "1001"), view("N777", "2022-04-05 10:00:00", "1002")])
    assert [f.on_date for f in findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)] == [dt.date(2022, 4, 5)]


def test_the_job_role_figure_narrows_the_rule(org):
    Rule.objects.filter(kind=Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).update(params={"job_roles": ["CALL_CENTRE"]})
    holds(person(org, "retail", roles=("SALES",)), "R001")
    holds(person(org, "call", roles=("CALL_CENTRE",)), "C001")
    import_rows([view("R001", "2022-06-01 10:00:00", "1001"), view("C001", "2022-06-01 10:00:00", "1002")])
    assert [f.account_id for f in findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)] == ["C001"]


# --- ids used after a move or after their removal date -----------------------------------------


def test_an_old_grid_id_used_after_its_holder_moved_to_the_retailer_is_flagged(org):
    mover = person(org, "retail")
    holds(mover, "N100")
    Transfer.objects.create(
        person=mover, from_unit=org["units"]["grid"], to_unit=org["units"]["retail"], effective_on=dt.date(2020, 7, 1)
    )
    stayer = person(org, "grid")
    holds(stayer, "N200")
    import_rows(
        [
            view("N100", "2020-06-30 17:00:00", "1001", kind=NOTICE),  # before the move
            view("N100", "2020-07-01 09:00:00", "1002", kind=NOTICE),  # handover on the day itself
            view("N100", "2021-03-02 09:00:00", "1003", kind=NOTICE),
            view("N100", "2021-03-02 09:30:00", "1004", kind=NOTICE),
            view("N200", "2021-03-02 09:00:00", "1003", kind=NOTICE),  # still at the grid company
        ]
    )
    assert SystemAccount.objects.get(account_id="N100").holder_moved_on == dt.date(2020, 7, 1)
    assert SystemAccount.objects.get(account_id="N200").holder_moved_on is None
    [finding] = findings(Rule.Kind.ID_AFTER_MOVE)
    assert (finding.account_id, finding.on_date, finding.event_count, finding.person) == (
        "N100",
        dt.date(2021, 3, 2),
        2,
        mover,
    )


def test_an_id_used_after_the_checklist_said_it_was_no_longer_used_is_flagged(org):
    mover = person(org, "call")
    holds(mover, "N300")
    transfer = Transfer.objects.create(
        person=mover, from_unit=org["units"]["retail"], to_unit=org["units"]["call"], effective_on=dt.date(2022, 1, 4)
    )
    TransferChecklist.objects.create(
        transfer=transfer,
        person=mover,
        to_unit=org["units"]["call"],
        due_at=dt.datetime(2022, 1, 20, tzinfo=dt.UTC),
        confirmed_items=[TransferChecklist.Item.OLD_IDS_UNUSED, TransferChecklist.Item.RULES_READ],
        confirmed_at=dt.datetime(2022, 1, 10, 3, 0, tzinfo=dt.UTC),  # 12:00 in Tokyo
    )
    other = person(org, "call")
    holds(other, "N400")
    transfer2 = Transfer.objects.create(
        person=other, from_unit=org["units"]["retail"], to_unit=org["units"]["call"], effective_on=dt.date(2022, 1, 4)
    )
    TransferChecklist.objects.create(  # confirmed without the ids item: no removal date
        transfer=transfer2,
        person=other,
        to_unit=org["units"]["call"],
        due_at=dt.datetime(2022, 1, 20, tzinfo=dt.UTC),
        confirmed_items=[TransferChecklist.Item.RULES_READ],
        confirmed_at=dt.datetime(2022, 1, 10, 3, 0, tzinfo=dt.UTC),
    )
    import_rows(
        [
            view("N300", "2022-01-10 09:00:00", "1001", kind=NOTICE),
            view("N300", "2022-01-11 09:00:00", "1002", kind=NOTICE),
            view("N400", "2022-01-11 09:00:00", "1002", kind=NOTICE),
        ]
    )
    assert SystemAccount.objects.get(account_id="N300").removal_due_on == dt.date(2022, 1, 10)
    assert SystemAccount.objects.get(account_id="N400").removal_due_on is None
    assert [(f.account_id, f.on_date) for f in findings(Rule.Kind.ID_AFTER_MOVE)] == [("N300", dt.date(2022, 1, 11))]


def test_the_register_sync_writes_nothing_the_second_time(org):
    mover = person(org, "retail")
    holds(mover, "N100")
    Transfer.objects.create(
        person=mover, from_unit=org["units"]["grid"], to_unit=org["units"]["retail"], effective_on=dt.date(2020, 7, 1)
    )
    from monitoring.register import register_sync_from_transfers

    assert register_sync_from_transfers() == {"holder_moved_on": 1, "removal_due_on": 0}
    with CaptureQueriesContext(connection) as ctx:
        assert register_sync_from_transfers() == {"holder_moved_on": 0, "removal_due_on": 0}
    assert not [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


# --- shared-office terminals -------------------------------------------------------------------


def test_views_from_a_terminal_in_a_shared_office_are_flagged(org):
    Terminal.objects.create(code="HC-01", location="八戸 共用事務所", is_shared_office=True)
    Terminal.objects.create(code="HQ-07", location="本店")
    holds(person(org, "grid"), "N001")
    import_rows(
        [
            view("N001", "2019-05-10 10:00:00", "1001", terminal="HC-01", kind=NOTICE),
            view("N001", "2019-05-10 10:01:00", "1002", terminal="HQ-07", kind=NOTICE),
            view("N001", "2019-05-11 10:00:00", "1003", terminal="HQ-07", kind=NOTICE),
        ]
    )
    [finding] = findings(Rule.Kind.SHARED_TERMINAL)
    assert (finding.on_date, finding.event_count) == (dt.date(2019, 5, 10), 1)


# --- bursts ------------------------------------------------------------------------------------


def burst_rule(records=5, minutes=10):
    Rule.objects.filter(kind=Rule.Kind.BURST).update(params={"records": records, "minutes": minutes})


def test_many_records_in_a_short_time_are_a_burst(org):
    burst_rule()
    holds(person(org, "grid"), "N001")
    holds(person(org, "grid"), "N002")
    holds(person(org, "grid"), "N003")
    rows = [view("N001", f"2021-11-02 14:0{i}:00", f"20{i}", kind=NOTICE) for i in range(6)]  # 6 in 5 minutes
    rows += [view("N002", f"2021-11-02 {10 + i}:00:00", f"30{i}", kind=NOTICE) for i in range(6)]  # one an hour
    rows += [view("N003", f"2021-11-02 14:0{i}:00", "400", kind=NOTICE) for i in range(8)]  # one record again
    import_rows(rows)
    [finding] = findings(Rule.Kind.BURST)
    assert finding.account_id == "N001"
    assert (finding.event_count, finding.record_count) == (6, 6)
    assert finding.first_at == dt.datetime(2021, 11, 2, 5, 0, tzinfo=dt.UTC)
    assert finding.last_at == dt.datetime(2021, 11, 2, 5, 5, tzinfo=dt.UTC)


def test_the_call_centre_pattern_few_accounts_many_records(org):
    """The seed: 26,885 records of 8 accounts. Here: 8 call-centre accounts, 120 records each within an hour."""
    accounts = [f"CC{i:02d}" for i in range(8)]
    for account in accounts:
        holds(person(org, "call", roles=("CALL_CENTRE",)), account)
    rows = [
        view(account, f"2021-08-03 13:{minute:02d}:{second:02d}", f"{n}{account}", kind=NOTICE)
        for n, (account, minute, second) in enumerate((a, m, s) for a in accounts for m in range(60) for s in (0, 30))
    ]
    import_rows(rows)
    found = findings(Rule.Kind.BURST)
    assert [f.account_id for f in found] == accounts
    assert all(f.record_count == 120 for f in found)


def test_a_threshold_below_the_figures_raises_nothing(org):
    burst_rule(records=7)
    holds(person(org, "grid"), "N001")
    import_rows([view("N001", f"2021-11-02 14:0{i}:00", f"20{i}", kind=NOTICE) for i in range(6)])
    assert not findings(Rule.Kind.BURST).exists()


# --- contractors outside their contract's purpose ----------------------------------------------


def test_contractor_staff_outside_their_contract_purpose_are_flagged(org):
    ContractPurpose.objects.create(
        company=org["contractor"],
        name="検針業務",
        systems=["customer_info"],
        allowed_record_types=["検針"],
        valid_from=dt.date(2022, 1, 1),
        valid_until=dt.date(2022, 12, 31),
    )
    reader = person(org, "contr", etype="CONTRACTOR")
    holds(reader, "K001")
    import_rows(
        [
            view("K001", "2022-05-01 10:00:00", "1001", kind="検針"),  # within purpose
            view("K001", "2022-05-02 10:00:00", "1002", kind=NOTICE),  # another record type
            view("K001", "2023-01-01 00:30:00", "1003", kind="検針"),  # after the contract ended
        ]
    )
    assert [f.on_date for f in findings(Rule.Kind.CONTRACTOR_PURPOSE)] == [dt.date(2022, 5, 2), dt.date(2023, 1, 1)]
    assert findings(Rule.Kind.CONTRACTOR_PURPOSE).first().person == reader


def test_a_contractor_without_any_purpose_is_flagged_for_every_view(org):
    holds(person(org, "contr", etype="CONTRACTOR"), "K002")
    import_rows([view("K002", "2022-05-01 10:00:00", "1001", kind="検針")])
    assert findings(Rule.Kind.CONTRACTOR_PURPOSE).count() == 1


# --- all rules together ------------------------------------------------------------------------


def clean_traffic(org) -> list[tuple]:
    """A day at the grid company and its contractor, as it should be."""
    ContractPurpose.objects.create(
        company=org["contractor"], name="検針業務", systems=["customer_info"], valid_from=dt.date(2020, 1, 1)
    )
    Terminal.objects.create(code="HQ-07", location="本店")
    for i in range(5):
        holds(person(org, "grid"), f"N{i:03d}")
    holds(person(org, "contr", etype="CONTRACTOR"), "K001")
    rows = [
        view(f"N{i:03d}", f"2022-09-0{day} {9 + j:02d}:{i * 7:02d}:00", f"{day}{i}{j}", terminal="HQ-07")
        for day in range(1, 6)
        for i in range(5)
        for j in range(8)
    ]
    rows += [view("K001", f"2022-09-01 1{j}:00:00", f"9{j}", terminal="HQ-07", kind="検針") for j in range(5)]
    return rows


def test_clean_traffic_raises_nothing(org):
    result = import_rows(clean_traffic(org))
    assert result.rows_added == 205
    assert result.findings_created == 0
    assert not Finding.objects.exists()


def test_a_disabled_rule_flags_nothing(org):
    Rule.objects.filter(kind=Rule.Kind.SHARED_TERMINAL).update(enabled=False)
    Terminal.objects.create(code="HC-01", is_shared_office=True)
    holds(person(org, "grid"), "N001")
    import_rows([view("N001", "2019-05-10 10:00:00", "1001", terminal="HC-01", kind=NOTICE)])
    assert not Finding.objects.exists()
    Rule.objects.filter(kind=Rule.Kind.SHARED_TERMINAL).update(enabled=True)
    assert rules_run() == 1


def test_running_again_finds_the_same_findings_and_refreshes_their_counts(org):
    holds(person(org, "retail"), "R001")
    first = import_rows([view("R001", "2022-06-01 10:00:00", "1001")], name="a.csv")
    assert first.findings_created == 1
    assert rules_run() == 0
    second = import_rows(
        [view("R001", "2022-06-01 10:00:00", "1001"), view("R001", "2022-06-01 15:00:00", "1002")], name="b.csv"
    )
    assert second.findings_created == 0
    [finding] = findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)
    assert (finding.event_count, finding.record_count) == (2, 2)
    assert finding.last_at == dt.datetime(2022, 6, 1, 6, 0, tzinfo=dt.UTC)


def test_a_closed_finding_is_not_reopened_nor_changed(org):
    holds(person(org, "retail"), "R001")
    import_rows([view("R001", "2022-06-01 10:00:00", "1001")], name="a.csv")
    Finding.objects.update(
        status=Finding.Status.CLOSED, outcome=Finding.Outcome.EXPLAINED, closed_at=dt.datetime.now(dt.UTC)
    )
    import_rows([view("R001", "2022-06-01 15:00:00", "1002")], name="b.csv")
    [finding] = findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC)
    assert (finding.status, finding.event_count) == (Finding.Status.CLOSED, 1)


def test_unknown_ids_raise_no_finding_and_a_later_register_entry_brings_them_in(org):
    import_rows([view("X999", "2022-06-01 10:00:00", "1001")])
    assert not Finding.objects.exists()
    holds(person(org, "retail"), "X999")
    assert rules_run() == 1
    assert findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC).get().person is not None


def test_the_rules_query_count_does_not_grow_with_the_rows(org):
    burst_rule(records=3, minutes=60)
    Terminal.objects.create(code="HC-01", is_shared_office=True)
    ContractPurpose.objects.create(
        company=org["contractor"], name="検針業務", systems=["customer_info"], valid_from=dt.date(2020, 1, 1)
    )
    people = [person(org, unit) for unit in ("retail", "grid", "call", "contr")]
    for i, p in enumerate(people):
        holds(p, f"A{i}")

    def log(n: int, day: int) -> list[tuple]:
        return [
            view(f"A{i % 4}", f"2022-07-{day:02d} {8 + (i // 60) % 12:02d}:{i % 60:02d}:00", f"{i}", terminal="HC-01")
            for i in range(n)
        ]

    counts = []
    for n, day in ((20, 1), (400, 2)):
        import_rows(log(n, day), name=f"{n}.csv")
        with CaptureQueriesContext(connection) as ctx:
            rules_run()
        counts.append(len(ctx.captured_queries))
    assert Finding.objects.filter(on_date=dt.date(2022, 7, 2)).count() >= 4
    assert counts[0] == counts[1], counts
