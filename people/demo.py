"""Demo organisation: みちのく電力 (a fictional retailer), its 23 sales offices, the customer
centre, contractors and temp staff — a few hundred people, loaded through the real HR import.
"""

import csv
import io
import random

from django.contrib.auth.models import Group

from . import roles
from .hr_import import hr_import_run
from .models import Company, EmploymentType, JobRole, Person, Unit
from .services import unit_add, unit_move

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published demo credential, demo data only

COMPANIES = [
    ("MICHINOKU", "みちのく電力株式会社", Company.Kind.RETAILER),
    ("MICHINOKU_NW", "みちのく電力ネットワーク株式会社", Company.Kind.GRID),
    ("CALLSERVE", "みちのくコールサービス株式会社", Company.Kind.CONTRACTOR),
    ("TELESUPPORT", "北日本テレサポート株式会社", Company.Kind.CONTRACTOR),
    ("STAFFING", "みちのくスタッフィング株式会社", Company.Kind.STAFFING),
]
EMPLOYMENT_TYPES = [("REGULAR", "正社員"), ("TEMP", "派遣社員"), ("CONTRACTOR", "委託先社員"), ("EXECUTIVE", "役員")]
JOB_ROLES = [
    ("SALES", "営業窓口"),
    ("CALL_CENTRE", "コールセンター"),
    ("MANAGER", "管理職"),
    ("IT", "情報システム"),
    ("COMPLIANCE", "コンプライアンス"),
    ("HR", "人事"),
    ("AUDIT", "内部監査"),
]
# (code, name, parent code, kind)
UNITS = [
    ("HQ", "本店", None, Unit.Kind.DIVISION),
    ("EXEC", "役員室", "HQ", Unit.Kind.DEPARTMENT),
    ("COMPLIANCE", "行為規制遵守推進室", "HQ", Unit.Kind.DEPARTMENT),
    ("AUDIT", "内部監査室", "HQ", Unit.Kind.DEPARTMENT),
    ("IT", "情報システム部", "HQ", Unit.Kind.DEPARTMENT),
    ("HR", "人事労務部", "HQ", Unit.Kind.DEPARTMENT),
    ("SALES", "販売カンパニー 営業部", None, Unit.Kind.DIVISION),
    ("CC", "カスタマーセンター", None, Unit.Kind.CALL_CENTRE),
]
# The grid company's own units (みちのく電力ネットワーク): its staff are in the group's HR data too,
# and their system ids are what access monitoring watches (monitoring/demo.py). (code, name, parent)
GRID_UNITS = [
    ("NW", "みちのく電力ネットワーク 本店", None),
    ("NW_WHEELING", "託送サービス部", "NW"),
    ("NW_OPS", "系統運用部", "NW"),
    ("NW_HACHINOHE", "八戸電力センター", "NW"),
]
GRID_STAFF = 30
GRID_FAMILY = ["工藤", "石川", "小山", "大友", "相馬", "畠山", "村上", "佐野", "遠藤", "菊池"]
GRID_GIVEN = ["聡", "浩二", "陽子", "大樹", "千尋", "健", "美穂", "隆", "瑞穂", "亮介"]
OFFICES = [
    ("HACHINOHE", "八戸営業所"),
    ("IWATE_SANRIKU", "岩手三陸営業所"),
    ("SENDAI_KITA", "仙台北営業所"),
    ("AOMORI", "青森営業所"),
    ("HIROSAKI", "弘前営業所"),
    ("MORIOKA", "盛岡営業所"),
    ("HANAMAKI", "花巻営業所"),
    ("AKITA", "秋田営業所"),
    ("NOSHIRO", "能代営業所"),
    ("YOKOTE", "横手営業所"),
    ("SENDAI_MINAMI", "仙台南営業所"),
    ("ISHINOMAKI", "石巻営業所"),
    ("OSAKI", "大崎営業所"),
    ("YAMAGATA", "山形営業所"),
    ("SAKATA", "酒田営業所"),
    ("FUKUSHIMA", "福島営業所"),
    ("KORIYAMA", "郡山営業所"),
    ("IWAKI", "いわき営業所"),
    ("AIZU", "会津若松営業所"),
    ("NIIGATA", "新潟営業所"),
    ("NAGAOKA", "長岡営業所"),
    ("JOETSU", "上越営業所"),
    ("SADO", "佐渡営業所"),
]

# (email, number, family, given, company, unit, type, roles, manager number, groups, superuser)
DEMO_ACCOUNTS = [
    (
        "manager@example.jp",
        "M100010",
        "東山",
        "健一",
        "MICHINOKU",
        "SALES",
        "REGULAR",
        "MANAGER",
        "",
        [roles.MANAGERS],
        False,
    ),
    ("sales@example.jp", "M100001", "八木", "美咲", "MICHINOKU", "HACHINOHE", "REGULAR", "SALES", "M200100", [], False),
    ("cc@example.jp", "M100002", "千田", "翔太", "MICHINOKU", "CC", "REGULAR", "CALL_CENTRE", "M300000", [], False),
    ("temp@example.jp", "T100003", "三浦", "彩", "STAFFING", "IWATE_SANRIKU", "TEMP", "SALES", "M200101", [], False),
    (
        "contractor@example.jp",
        "C100004",
        "小野寺",
        "大輔",
        "CALLSERVE",
        "CC",
        "CONTRACTOR",
        "CALL_CENTRE",
        "M300000",
        [],
        False,
    ),
    (
        "compliance@example.jp",
        "M100005",
        "佐藤",
        "律子",
        "MICHINOKU",
        "COMPLIANCE",
        "REGULAR",
        "COMPLIANCE",
        "",
        [roles.COMPLIANCE_EDITORS, roles.TRAINING_ADMINISTRATORS, roles.ENQUIRY_RESPONDERS],
        False,
    ),
    (
        "handler@example.jp",
        "M100006",
        "高橋",
        "誠",
        "MICHINOKU",
        "AUDIT",
        "REGULAR",
        "AUDIT",
        "",
        [roles.DESIGNATED_HANDLERS],
        False,
    ),
    (
        "admin@example.jp",
        "M100007",
        "伊藤",
        "拓海",
        "MICHINOKU",
        "IT",
        "REGULAR",
        "IT",
        "",
        [roles.SITE_ADMINISTRATORS],
        True,
    ),
    (
        "auditor@example.jp",
        "M100008",
        "菊地",
        "真理子",
        "MICHINOKU",
        "AUDIT",
        "REGULAR",
        "AUDIT",
        "",
        [roles.COMPLIANCE_AUDITORS],
        False,
    ),
]
# Accounts added after the first demo: their HR rows go at the end of the file, so the employee
# numbers generated from the row count (M4000xx) stay what they were on existing demo databases.
LATER_ACCOUNTS = {"auditor@example.jp"}

FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "阿部",
    "菅原",
    "千葉",
    "熊谷",
    "及川",
    "工藤",
    "成田",
    "三上",
    "奥山",
    "今野",
]
GIVEN = [
    "翔",
    "蓮",
    "陽翔",
    "大和",
    "湊",
    "結衣",
    "陽菜",
    "美桜",
    "葵",
    "凛",
    "健太",
    "拓也",
    "直樹",
    "由美",
    "恵",
    "智子",
    "和也",
    "亮",
    "彩花",
    "真司",
    "裕子",
    "達也",
    "沙織",
    "慎也",
    "香織",
]

COLUMNS = ["社員番号", "メールアドレス", "姓", "名", "会社コード", "所属コード", "雇用区分", "職務", "上長社員番号"]


def demo_rows() -> list[list[str]]:
    """The demo HR snapshot, the same on every run so the import is idempotent."""
    rng = random.Random(2023)  # noqa: S311 - deterministic demo names, not security
    rows: list[list[str]] = []

    def person(number, company, unit, etype, job_roles, manager, email=None):
        rows.append(
            [
                number,
                email or f"{number.lower()}@example.jp",
                rng.choice(FAMILY),
                rng.choice(GIVEN),
                company,
                unit,
                etype,
                job_roles,
                manager,
            ]
        )

    def account(email, number, family, given, company, unit, etype, job_roles, manager, _groups, _su):
        rows.append([number, email, family, given, company, unit, etype, job_roles, manager])

    for spec in DEMO_ACCOUNTS:
        if spec[0] not in LATER_ACCOUNTS:
            account(*spec)
    for i in range(8):
        person(f"E{500000 + i}", "MICHINOKU", "EXEC", "EXECUTIVE", "", "")
    for i, (code, _name) in enumerate(OFFICES):
        head = f"M{200100 + i}"
        person(head, "MICHINOKU", code, "REGULAR", "SALES;MANAGER", "M100010")
        for j in range(10):
            person(f"M{210000 + i * 100 + j}", "MICHINOKU", code, "REGULAR", "SALES", head)
        if i % 2 == 0:
            person(f"T{210000 + i * 100}", "STAFFING", code, "TEMP", "SALES", head)
    person("M300000", "MICHINOKU", "CC", "REGULAR", "CALL_CENTRE;MANAGER", "")
    for j in range(40):
        person(f"M{300001 + j}", "MICHINOKU", "CC", "REGULAR", "CALL_CENTRE", "M300000")
    for j in range(45):
        company = "CALLSERVE" if j < 25 else "TELESUPPORT"
        person(f"C{300100 + j}", company, "CC", "CONTRACTOR", "CALL_CENTRE", "M300000")
    for j in range(6):
        person(f"T{300200 + j}", "STAFFING", "CC", "TEMP", "CALL_CENTRE", "M300000")
    for unit, role, count in (("COMPLIANCE", "COMPLIANCE", 4), ("IT", "IT", 4), ("HR", "HR", 3), ("AUDIT", "AUDIT", 3)):
        for _j in range(count):
            person(f"M{400000 + len(rows)}", "MICHINOKU", unit, "REGULAR", role, "")
    for spec in DEMO_ACCOUNTS:
        if spec[0] in LATER_ACCOUNTS:
            account(*spec)
    # Grid staff last, with their own name draw, so nobody above changes number or name.
    grid_rng = random.Random(18)  # noqa: S311 - deterministic demo names, not security
    for i in range(GRID_STAFF):
        number = f"N{600000 + i}"
        unit = "NW_HACHINOHE" if i < 4 else "NW_WHEELING" if i < 20 else "NW_OPS"
        family, given = grid_rng.choice(GRID_FAMILY), grid_rng.choice(GRID_GIVEN)
        rows.append([number, f"{number.lower()}@nw.example.jp", family, given, "MICHINOKU_NW", unit, "REGULAR", "", ""])
    return rows


def demo_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(demo_rows())
    return out.getvalue().encode("utf-8-sig")


def load(stdout) -> None:
    for code, name, kind in COMPANIES:
        Company.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})
    for code, name in EMPLOYMENT_TYPES:
        EmploymentType.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in JOB_ROLES:
        JobRole.objects.update_or_create(code=code, defaults={"name": name})
    retailer = Company.objects.get(code="MICHINOKU")
    grid = Company.objects.get(code="MICHINOKU_NW")
    units = {}
    for code, name, parent, kind, company in (
        [(*spec, retailer) for spec in UNITS]
        + [(c, n, "SALES", Unit.Kind.OFFICE, retailer) for c, n in OFFICES]
        + [(c, n, parent, Unit.Kind.DEPARTMENT, grid) for c, n, parent in GRID_UNITS]
    ):
        wanted = {"name": name, "company": company, "kind": kind}
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = unit_add(unit=Unit(code=code, **wanted), parent=units.get(parent))
        else:
            if any(getattr(unit, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(unit, key, value)
                unit.save(update_fields=list(wanted))
            if unit.get_parent() != units.get(parent):
                unit = unit_move(unit=unit, parent=units.get(parent), actor=None)
        units[code] = unit
    # Adding a unit in code order can shift the paths of units read before it: read them afresh.
    units = {unit.code: unit for unit in Unit.objects.all()}

    result = hr_import_run(raw=demo_csv())
    stdout.write(f"  people: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")

    for email, *_rest, groups, superuser in DEMO_ACCOUNTS:
        account = Person.objects.get(email=email)
        if not account.has_usable_password():
            account.set_password(DEMO_PASSWORD)
            account.save(update_fields=["password"])
        if superuser and not (account.is_superuser and account.is_staff):
            Person.objects.filter(pk=account.pk).update(is_superuser=True, is_staff=True)
        for name in groups:
            account.groups.add(Group.objects.get(name=name))
    manager = Person.objects.get(email="manager@example.jp")
    units["SALES"].managers.add(manager)
    heads = Person.objects.filter(employee_number__startswith="M2001").select_related("unit")
    for head in heads:
        head.unit.managers.add(head)
    units["CC"].managers.add(Person.objects.get(employee_number="M300000"))


def demo_logins() -> list[tuple[str, str]]:
    descriptions = {
        "sales@example.jp": "営業窓口（八戸営業所） / sales, Hachinohe office",
        "cc@example.jp": "カスタマーセンター / call centre",
        "temp@example.jp": "派遣社員（岩手三陸営業所） / temp staff",
        "contractor@example.jp": "委託先社員（カスタマーセンター） / contractor staff",
        "manager@example.jp": "営業部 管理職 / manager of the sales offices",
        "compliance@example.jp": "コンプライアンス担当 / compliance (editor, training admin, enquiry responder; MFA)",
        "handler@example.jp": "公益通報対応業務従事者 / designated handler (MFA)",
        "admin@example.jp": "システム管理者 / site administrator, not a handler (MFA)",
        "auditor@example.jp": "内部監査 行為規制チェック / compliance auditor, access monitoring (MFA)",
    }
    return [(email, descriptions[email]) for email, *_ in DEMO_ACCOUNTS]
