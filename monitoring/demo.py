"""Demo access monitoring: the grid company's three systems, its staff and their ids, 20 people
who moved from the grid company to the sales offices in 2024, terminals (two of them at the
counter of 八戸営業所 that the retailer shares with the grid company), the contractors' contract
purposes, and eight weeks of generated access logs in which the seed's cases can be found again:

* sales staff at several offices, and a temp at 岩手三陸, opening new entrants' customer records;
* the 八戸 shared counter's NW-configured terminals;
* a call-centre employee opening hundreds of supply points of eight corporate customers in an hour;
* old grid ids used after their holders moved to the retailer (record statistics and intranet);
* contractor staff of the call centre outside their contract's purpose.

Most rows are grid staff doing their own work, which raises nothing. The files go through the
importer (`importing.log_import_run`), as an upload would; the rules run after each import. The
employee notice (a rule page, "アクセスログのモニタリングについて") is published here too.
Idempotent: once the demo's files are imported, running it again changes nothing.
"""

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from people.models import Company, Person, Transfer, Unit

from .models import ContractPurpose, LogImport, LogSource, System, SystemAccount, Terminal

JST = ZoneInfo("Asia/Tokyo")
# The employee notice's text is data, in demo_data/ next to this module (as the other apps' demo texts).
NOTICE = json.loads(Path(__file__).with_name("demo_data").joinpath("notice.json").read_text(encoding="utf-8"))
WEEKS = 8
MOVED_ON = dt.date(2024, 4, 1)
REMOVAL_DUE = dt.date(2024, 4, 15)

# Record types of each system; the non-public ones are what the retail rule flags.
CUSTOMER_INFO_TYPES = ["契約容量照会", "契約名義照会", "夜間蓄熱機器照会", "託送料金明細", "供給地点照会"]
CUSTOMER_INFO_PUBLIC = ["供給地点照会"]  # the switching lookup every retailer may use
STATISTICS_TYPES = ["発電実績", "給電指令記録", "需要実績（公表値）"]
INTRANET_TYPES = ["事故報告", "潮流図", "停電情報（公表）", "社内お知らせ"]

SOURCES = [
    {
        "code": "customer_info",
        "name": "託送顧客情報システム アクセスログ",
        "system": System.CUSTOMER_INFO,
        "encoding": LogSource.Encoding.CP932,
        "time_zone": "Asia/Tokyo",
        "time_format": "%Y/%m/%d %H:%M:%S",
        "columns": {
            "account": "利用者ID",
            "at": "参照日時",
            "terminal": "端末番号",
            "record_type": "画面区分",
            "record": "お客さま番号",
            "new_entrant": "新電力区分",
        },
        "new_entrant_values": ["1"],
        "non_public_record_types": [t for t in CUSTOMER_INFO_TYPES if t not in CUSTOMER_INFO_PUBLIC],
    },
    {
        "code": "record_statistics",
        "name": "実績統計システム アクセスログ",
        "system": System.RECORD_STATISTICS,
        "encoding": LogSource.Encoding.CP932,
        "time_zone": "Asia/Tokyo",
        "time_format": "%Y-%m-%d %H:%M:%S",
        "columns": {"account": "ユーザーID", "at": "アクセス日時", "terminal": "端末ID", "record_type": "帳票種別"},
        "new_entrant_values": [],
        "non_public_record_types": ["発電実績", "給電指令記録"],
    },
    {
        "code": "grid_intranet",
        "name": "系統情報イントラネット アクセスログ",
        "system": System.GRID_INTRANET,
        "encoding": LogSource.Encoding.UTF8,
        "time_zone": "UTC",
        "time_format": "%Y-%m-%dT%H:%M:%SZ",
        "columns": {
            "account": "ログインID",
            "at": "日時(UTC)",
            "terminal": "端末",
            "record_type": "コンテンツ種別",
            "record": "文書ID",
        },
        "new_entrant_values": [],
        "non_public_record_types": ["事故報告", "潮流図"],
    },
]

# Offices whose sales staff opened new entrants' records (the seed: 23 offices; a few here).
VIEWING_OFFICES = ["IWATE_SANRIKU", "SENDAI_KITA", "AOMORI", "MORIOKA", "AKITA", "KORIYAMA"]


def _unit(code):
    return Unit.objects.get(code=code)


def _grid_org() -> list[Person]:
    """The grid company's staff, who come with the HR data (people/demo.py) like everyone else."""
    return list(
        Person.objects.filter(company__code="MICHINOKU_NW", employee_number__startswith="N6").order_by(
            "employee_number"
        )
    )


def _register(*, system, account_id, person, origin, moved_on=None, removal_due=None) -> None:
    """Through the register's service (as the HR data would: no auditor), once per id."""
    from .register import register_upsert

    if SystemAccount.objects.filter(system=system, account_id=account_id).exists():
        return
    register_upsert(
        system=system,
        account_id=account_id,
        person=person,
        origin=origin,
        holder_moved_on=moved_on,
        removal_due_on=removal_due,
    )


def _transferees() -> list[Person]:
    """Twenty sales staff who came from the grid company on 1 April 2024, one per office."""
    from_unit = _unit("NW_WHEELING")
    people = list(
        Person.objects.filter(employee_number__in=[f"M{210000 + i * 100 + 9}" for i in range(20)])
        .select_related("unit")
        .order_by("employee_number")
    )
    for person in people:
        if not Transfer.objects.filter(person=person, from_unit=from_unit).exists():
            Transfer.objects.create(person=person, from_unit=from_unit, to_unit=person.unit, effective_on=MOVED_ON)
    return people


def _terminals() -> None:
    specs = [(f"NW-SDI-{n:03}", "みちのく電力ネットワーク 本店 託送サービス部", False) for n in range(1, 13)]
    specs += [(f"NW-HCH-{n:03}", "八戸電力センター", False) for n in range(1, 4)]
    specs += [
        ("HCH-NW-01", "八戸営業所 共用カウンター（NW設定端末）", True),
        ("HCH-NW-02", "八戸営業所 共用カウンター（NW設定端末）", True),
        ("CC-TR-01", "カスタマーセンター 研修室", False),
        ("CC-DR-01", "カスタマーセンター 災害対応端末", False),
    ]
    for code, location, shared in specs:
        Terminal.objects.update_or_create(code=code, defaults={"location": location, "is_shared_office": shared})


def _contract_purposes() -> None:
    for code, name, systems, types in (
        (
            "CALLSERVE",
            "送配電設備・停電に関するお問合せの一次受付（NWからの受託）",
            ["grid_intranet"],
            ["停電情報（公表）"],
        ),
        ("TELESUPPORT", "スイッチング申込みの受付補助（供給地点の確認）", ["customer_info"], ["供給地点照会"]),
    ):
        company = Company.objects.get(code=code)
        ContractPurpose.objects.get_or_create(
            company=company,
            name=name,
            defaults={"systems": systems, "allowed_record_types": types, "valid_from": dt.date(2019, 9, 1)},
        )


class _Log:
    """Rows of one source, kept in time order and written as the system exports them."""

    def __init__(self, spec: dict, rng: random.Random):
        self.spec = spec
        self.rng = rng
        self.rows: list[tuple[dt.datetime, dict]] = []

    def add(self, *, account: str, at: dt.datetime, terminal: str, record_type: str, record: str = "", new=False):
        self.rows.append(
            (at, {"account": account, "terminal": terminal, "record_type": record_type, "record": record, "new": new})
        )

    def files(self, *, first_day: dt.date, bad_lines: bool) -> list[tuple[str, bytes]]:
        """Two files, the first four weeks and the rest; the second may hold a few unreadable lines."""
        columns = self.spec["columns"]
        zone = ZoneInfo(self.spec["time_zone"])
        half = first_day + dt.timedelta(weeks=WEEKS // 2)
        out = []
        for part, (start, end) in enumerate(((first_day, half), (half, first_day + dt.timedelta(weeks=WEEKS))), 1):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(list(columns.values()))
            for at, row in sorted(self.rows, key=lambda r: (r[0], r[1]["account"])):
                if not (start <= at.astimezone(JST).date() < end):
                    continue
                values = {
                    "account": row["account"],
                    "at": at.astimezone(zone).strftime(self.spec["time_format"]),
                    "terminal": row["terminal"],
                    "record_type": row["record_type"],
                    "record": row["record"],
                    "new_entrant": "1" if row["new"] else "0",
                }
                writer.writerow([values[field] for field in columns])
            if bad_lines and part == 2:
                # What real exports contain now and then: a cut line and a time the system could not write.
                writer.writerow(["", "", "", ""][: len(columns)])
                broken = ["TK00003", "2026/02/30 25:61:00"] + [""] * (len(columns) - 2)
                writer.writerow(broken)
            name = f"{self.spec['code']}_{start:%Y%m%d}-{(end - dt.timedelta(days=1)):%Y%m%d}.csv"
            out.append((name, buffer.getvalue().encode(self.spec["encoding"])))
        return out


def _at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JST)


def _workdays(first_day: dt.date) -> list[dt.date]:
    days = [first_day + dt.timedelta(days=n) for n in range(WEEKS * 7)]
    return [d for d in days if d.weekday() < 5]


def _generate(first_day: dt.date, grid_staff: list[Person], transferees: list[Person]) -> dict[str, _Log]:
    rng = random.Random(2023)  # noqa: S311 - deterministic demo logs
    logs = {spec["code"]: _Log(spec, rng) for spec in SOURCES}
    days = _workdays(first_day)
    customer, stats, intranet = logs["customer_info"], logs["record_statistics"], logs["grid_intranet"]

    def record() -> str:
        return f"{rng.randrange(10**9, 10**10)}"

    # Grid staff doing their own work: most of every log, and nothing to flag.
    for day in days:
        for n in range(len(grid_staff)):
            if rng.random() < 0.25:
                continue
            terminal = f"NW-HCH-{n % 3 + 1:03}" if n < 4 else f"NW-SDI-{n % 12 + 1:03}"
            for _ in range(rng.randint(1, 4)):
                customer.add(
                    account=f"TK{n + 1:05}",
                    at=_at(day, rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59)),
                    terminal=terminal,
                    record_type=rng.choice(CUSTOMER_INFO_TYPES),
                    record=record(),
                    new=rng.random() < 0.3,
                )
            for _ in range(rng.randint(1, 4) if rng.random() < 0.4 else 0):
                stats.add(
                    account=f"JS{n + 1:05}",
                    at=_at(day, rng.randint(9, 17), rng.randint(0, 59)),
                    terminal=terminal,
                    record_type=rng.choice(STATISTICS_TYPES),
                )
            for _ in range(rng.randint(1, 5) if rng.random() < 0.7 else 0):
                intranet.add(
                    account=f"nw{n + 1:04}",
                    at=_at(day, rng.randint(8, 18), rng.randint(0, 59)),
                    terminal=terminal,
                    record_type=rng.choice(INTRANET_TYPES),
                    record=f"DOC-{rng.randrange(10000, 99999)}",
                )
    # Retail staff on their own terminals using the public switching lookup: allowed, raises nothing.
    # (Not the transferees: the register dates every id of a person who moved from the grid company.)
    sales = list(
        Person.objects.filter(unit__code__in=VIEWING_OFFICES, employee_number__startswith="M21")
        .exclude(pk__in=[p.pk for p in transferees])
        .select_related("unit")
        .order_by("employee_number")
    )
    for day in days[::2]:
        for person in rng.sample(sales, 6):
            customer.add(
                account=person.employee_number,
                at=_at(day, rng.randint(9, 16), rng.randint(0, 59)),
                terminal=f"RT-{person.unit.code}-01",
                record_type="供給地点照会",
                record=record(),
            )

    # 1. Sales staff at several offices, and a temp at 岩手三陸, opening new entrants' customer records.
    viewers = [rng.choice([p for p in sales if p.unit.code == code]) for code in VIEWING_OFFICES]
    viewers.append(Person.objects.get(email="temp@example.jp"))
    for person in viewers:
        for day in rng.sample(days, 3):
            for _ in range(rng.randint(2, 6)):
                customer.add(
                    account=person.employee_number,
                    at=_at(day, rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59)),
                    terminal=f"RT-{person.unit.code}-T1",
                    record_type=rng.choice(["契約容量照会", "契約名義照会", "夜間蓄熱機器照会"]),
                    record=record(),
                    new=True,
                )

    # 2. 八戸: the NW-configured terminals at the shared counter, used by sales staff for switching requests.
    hachinohe = list(
        Person.objects.filter(unit__code="HACHINOHE", company__code="MICHINOKU", employee_number__startswith="M21")
        .exclude(pk__in=[p.pk for p in transferees])
        .order_by("employee_number")[:4]
    )
    hachinohe.append(Person.objects.get(email="sales@example.jp"))
    for person in {p.pk: p for p in hachinohe}.values():
        for day in rng.sample(days, 2):
            for _ in range(rng.randint(1, 4)):
                customer.add(
                    account=person.employee_number,
                    at=_at(day, rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59)),
                    terminal=rng.choice(["HCH-NW-01", "HCH-NW-02"]),
                    record_type=rng.choice(["契約容量照会", "契約名義照会", "夜間蓄熱機器照会"]),
                    record=record(),
                    new=True,
                )

    # 3. The call centre: one employee, the training room's NW terminal, hundreds of supply points of
    #    eight corporate customers within the hour, after a new entrant left the market.
    caller = Person.objects.get(employee_number="M300007")
    corporate = [[record() for _ in range(60)] for _ in range(8)]
    for day in sorted(rng.sample(days[-15:], 3)):
        start = _at(day, 14, 0)
        for k in range(180):
            customer.add(
                account=caller.employee_number,
                at=start + dt.timedelta(seconds=15 * k),
                terminal="CC-TR-01",
                record_type="契約容量照会",
                record=corporate[k % 8][k // 8 % 60],
                new=True,
            )

    # 4. Old grid ids used after their holders moved to the retailer (the seed: 6 in record
    #    statistics, 14 in the intranet; here some of them use them again).
    for n, person in enumerate(transferees):
        old_id = f"JS9{n + 1:04}" if n < 6 else f"nw9{n + 1:03}"
        if n not in (0, 3, 8, 11, 15):
            continue
        for day in rng.sample(days, 2):
            if n < 6:
                stats.add(
                    account=old_id,
                    at=_at(day, rng.randint(12, 13), rng.randint(0, 59)),
                    terminal=f"RT-{person.unit.code}-01",
                    record_type=rng.choice(["発電実績", "給電指令記録"]),
                )
            else:
                intranet.add(
                    account=old_id,
                    at=_at(day, rng.randint(12, 18), rng.randint(0, 59)),
                    terminal=f"RT-{person.unit.code}-01",
                    record_type=rng.choice(["事故報告", "潮流図"]),
                    record=f"DOC-{rng.randrange(10000, 99999)}",
                )

    # 5. Contractor staff: within their purposes (raises nothing) and outside them.
    callserve = list(
        Person.objects.filter(company__code="CALLSERVE", employee_number__startswith="C3001").order_by(
            "employee_number"
        )
    )
    telesupport = list(Person.objects.filter(company__code="TELESUPPORT").order_by("employee_number"))
    for day in days[::3]:
        for person in rng.sample(callserve, 3):
            intranet.add(
                account=person.employee_number,
                at=_at(day, rng.randint(9, 17), rng.randint(0, 59)),
                terminal="CC-DR-01",
                record_type="停電情報（公表）",
                record=f"DOC-{rng.randrange(10000, 99999)}",
            )
        for person in rng.sample(telesupport, 2):
            customer.add(
                account=person.employee_number,
                at=_at(day, rng.randint(9, 17), rng.randint(0, 59)),
                terminal="CC-TR-01",
                record_type="供給地点照会",
                record=record(),
            )
    for person in rng.sample(telesupport, 3) + rng.sample(callserve, 2):
        for day in rng.sample(days, 2):
            customer.add(
                account=person.employee_number,
                at=_at(day, rng.randint(9, 17), rng.randint(0, 59)),
                terminal="CC-TR-01",
                record_type=rng.choice(["契約容量照会", "契約名義照会"]),
                record=record(),
                new=True,
            )

    # Two ids nobody in the register holds (a test account, a typo in the export).
    for day in days[:3]:
        customer.add(account="TK99901", at=_at(day, 10, 5), terminal="NW-SDI-001", record_type="供給地点照会")
        intranet.add(account="guest01", at=_at(day, 11, 0), terminal="NW-SDI-002", record_type="社内お知らせ")
    return logs


def _ids(grid_staff: list[Person], transferees: list[Person]) -> None:
    for n, person in enumerate(grid_staff):
        for system, account_id in (
            (System.CUSTOMER_INFO, f"TK{n + 1:05}"),
            (System.RECORD_STATISTICS, f"JS{n + 1:05}"),
            (System.GRID_INTRANET, f"nw{n + 1:04}"),
        ):
            _register(system=system, account_id=account_id, person=person, origin=SystemAccount.Origin.HR)
    # Retail, temp and contractor staff log in to the customer system with their ID card (employee number).
    for person in Person.objects.filter(
        company__code__in=["MICHINOKU", "STAFFING", "CALLSERVE", "TELESUPPORT"], employee_number__isnull=False
    ).exclude(employee_number=""):
        _register(
            system=System.CUSTOMER_INFO,
            account_id=person.employee_number,
            person=person,
            origin=SystemAccount.Origin.HR,
        )
        if person.company.kind == Company.Kind.CONTRACTOR:
            _register(
                system=System.GRID_INTRANET,
                account_id=person.employee_number,
                person=person,
                origin=SystemAccount.Origin.HR,
            )
    for n, person in enumerate(transferees):
        system, old_id = (
            (System.RECORD_STATISTICS, f"JS9{n + 1:04}") if n < 6 else (System.GRID_INTRANET, f"nw9{n + 1:03}")
        )
        _register(
            system=system,
            account_id=old_id,
            person=person,
            origin=SystemAccount.Origin.TRANSFER,
            moved_on=MOVED_ON,
            removal_due=REMOVAL_DUE,
        )


def _sources() -> dict[str, LogSource]:
    sources = {}
    for spec in SOURCES:
        fields = {k: v for k, v in spec.items() if k != "code"}
        sources[spec["code"]], _ = LogSource.objects.update_or_create(code=spec["code"], defaults=fields)
    return sources


def _notice(stdout) -> None:
    """The employee notice: compliance publishes that the grid systems' logs are monitored, and why."""
    from portal.models import RuleIndexPage, RulePage

    rules = RuleIndexPage.objects.first()
    if rules is None or rules.get_children().filter(slug=NOTICE["slug"]).exists():
        return
    page = RulePage(**{**NOTICE, "body": [tuple(block) for block in NOTICE["body"]]})
    rules.add_child(instance=page)
    page.save_revision().publish()
    stdout.write("  notice: published")


def load(stdout) -> None:
    from .importing import log_import_run
    from .register import register_sync_from_transfers

    sources = _sources()
    grid_staff = _grid_org()
    transferees = _transferees()
    _terminals()
    _contract_purposes()
    _ids(grid_staff, transferees)
    register_sync_from_transfers()
    _notice(stdout)
    if LogImport.objects.filter(source__in=sources.values()).exists():
        stdout.write("  access logs: already imported")
        return
    first_day = timezone.localdate() - dt.timedelta(weeks=WEEKS)
    logs = _generate(first_day, grid_staff, transferees)
    added = findings = 0
    for code, log in logs.items():
        for filename, content in log.files(first_day=first_day, bad_lines=code == "customer_info"):
            result = log_import_run(source=sources[code], filename=filename, content=content, via=LogImport.Via.COMMAND)
            added += result.rows_added
            findings += result.findings_created
    stdout.write(f"  access logs: {added} rows imported, {findings} findings")
