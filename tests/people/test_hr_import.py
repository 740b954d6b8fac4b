import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.hr_import import HRImportError, hr_import_run
from people.models import Person, Transfer
from people.signals import people_synchronised, person_transferred
from tests.factories import people as f

pytestmark = pytest.mark.django_db

HEADER = "社員番号,メールアドレス,姓,名,会社コード,所属コード,雇用区分,職務,上長社員番号"
ROWS = [
    "A001,boss@example.jp,東山,健一,MICHINOKU,SALES,REGULAR,MANAGER,",
    "A002,yagi@example.jp,八木,美咲,MICHINOKU,HACHINOHE,REGULAR,SALES,A001",
    "A003,miura@example.jp,三浦,彩,MICHINOKU,IWATE_SANRIKU,TEMP,SALES;MANAGER,A001",
    "A004,chida@example.jp,千田,翔太,MICHINOKU,CC,REGULAR,CALL_CENTRE,A001",
    "A005,ono@example.jp,小野寺,大輔,MICHINOKU,CC,CONTRACTOR,CALL_CENTRE,A001",
]


@pytest.fixture(autouse=True)
def reference_data(db):
    sales = f.unit("SALES", "営業部", kind="division")
    for code, name in [("HACHINOHE", "八戸営業所"), ("IWATE_SANRIKU", "岩手三陸営業所")]:
        f.unit(code, name, parent=sales)
    f.unit("CC", "カスタマーセンター")
    for code in ("REGULAR", "TEMP", "CONTRACTOR"):
        f.employment_type(code)
    for code in ("SALES", "MANAGER", "CALL_CENTRE"):
        f.job_role(code)


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def writes_during(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_first_import_creates_people_with_units_roles_and_managers():
    result = hr_import_run(raw=csv_bytes(ROWS))
    assert result.created == 5
    yagi = Person.objects.get(employee_number="A002")
    assert (yagi.email, yagi.family_name, yagi.unit.code, yagi.manager.employee_number) == (
        "yagi@example.jp",
        "八木",
        "HACHINOHE",
        "A001",
    )
    assert set(Person.objects.get(employee_number="A003").job_roles.values_list("code", flat=True)) == {
        "SALES",
        "MANAGER",
    }
    assert not yagi.has_usable_password()  # people set their password through the e-mailed link
    assert yagi.hr_managed and yagi.is_active


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings(encoding):
    hr_import_run(raw=csv_bytes(ROWS, encoding))
    assert Person.objects.get(employee_number="A005").family_name == "小野寺"


def test_bom_does_not_leak_into_the_first_column_name():
    raw = csv_bytes(ROWS, "utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert hr_import_run(raw=raw).created == 5


def test_english_headers_are_accepted_too():
    header = "employee_number,email,family_name,given_name,company,unit,employment_type,job_roles,manager"
    assert hr_import_run(raw=csv_bytes(ROWS, header=header)).created == 5


def test_reimport_of_the_same_file_writes_nothing():
    hr_import_run(raw=csv_bytes(ROWS))
    result = None

    def again():
        nonlocal result
        result = hr_import_run(raw=csv_bytes(ROWS, "cp932"))

    assert writes_during(again) == []
    assert (result.created, result.updated, result.transferred, result.unchanged) == (0, 0, 0, 5)


def test_bad_row_names_line_and_column_and_writes_nothing():
    rows = ROWS[:2] + ["A003,miura@example.jp,三浦,彩,MICHINOKU,NOWHERE,TEMP,SALES,A001", *ROWS[3:]]
    with pytest.raises(HRImportError) as caught:
        hr_import_run(raw=csv_bytes(rows))
    assert [str(e) for e in caught.value.errors] == [
        "4行目「所属コード」列: 所属コード「NOWHERE」は登録されていません。"
    ]
    assert Person.objects.count() == 0


def test_every_problem_is_reported_at_once():
    rows = [
        "A001,not-an-email,東山,健一,MICHINOKU,SALES,REGULAR,MANAGER,",
        "A002,yagi@example.jp,,美咲,MICHINOKU,HACHINOHE,PARTTIME,SALES,A999",
        "A002,yagi@example.jp,八木,美咲,MICHINOKU,HACHINOHE,REGULAR,PILOT,",
    ]
    with pytest.raises(HRImportError) as caught:
        hr_import_run(raw=csv_bytes(rows))
    found = {(e.line, e.column) for e in caught.value.errors}
    assert (2, "メールアドレス") in found
    assert (3, "姓") in found and (3, "雇用区分") in found
    assert (4, "職務") in found


def test_duplicate_employee_numbers_and_unknown_manager_are_rejected():
    rows = [*ROWS, "A002,other@example.jp,他,人,MICHINOKU,CC,REGULAR,CALL_CENTRE,B404"]
    with pytest.raises(HRImportError) as caught:
        hr_import_run(raw=csv_bytes(rows))
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("3行目") and "複数行" in m for m in messages)
    assert any(m.startswith("7行目") and "上長がファイル内にいません" in m for m in messages)
    assert Person.objects.count() == 0


def test_wrong_encoding_and_missing_columns_are_clear():
    with pytest.raises(HRImportError, match="UTF-8でもShift_JIS"):
        hr_import_run(raw=b"\xff\xfe\x00\x81\x00")
    with pytest.raises(HRImportError, match="必須の列がありません"):
        hr_import_run(
            raw=csv_bytes(ROWS, header="社員番号,メールアドレス,姓,名,会社コード,所属コード,職務,上長社員番号")
        )


def test_short_row_is_reported_with_its_line():
    with pytest.raises(HRImportError, match="3行目: 9 列あるはずですが、3 列でした"):
        hr_import_run(raw=csv_bytes([ROWS[0], "A002,yagi@example.jp,八木"]))


def test_transfer_is_recorded_and_announced(django_capture_on_commit_callbacks):
    hr_import_run(raw=csv_bytes(ROWS))
    seen = []

    def on_transfer(sender, transfer, **kwargs):
        seen.append((transfer.person.employee_number, transfer.from_unit.code, transfer.to_unit.code))

    person_transferred.connect(on_transfer)
    try:
        moved = [r.replace("HACHINOHE", "CC") if r.startswith("A002") else r for r in ROWS]
        with django_capture_on_commit_callbacks(execute=True):
            result = hr_import_run(raw=csv_bytes(moved), effective_on=date(2026, 10, 1))
    finally:
        person_transferred.disconnect(on_transfer)
    assert result.transferred == 1 and result.updated == 1
    transfer = Transfer.objects.get()
    assert (transfer.from_unit.code, transfer.to_unit.code, transfer.effective_on) == (
        "HACHINOHE",
        "CC",
        date(2026, 10, 1),
    )
    assert seen == [("A002", "HACHINOHE", "CC")]
    assert Person.objects.get(employee_number="A002").unit.code == "CC"


def test_leaver_is_deactivated_not_deleted_and_comes_back_on_return(django_capture_on_commit_callbacks):
    hr_import_run(raw=csv_bytes(ROWS))
    announced = []

    def on_sync(sender, **kwargs):
        announced.append(kwargs["deactivated_ids"])

    people_synchronised.connect(on_sync)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = hr_import_run(raw=csv_bytes(ROWS[:4]))
    finally:
        people_synchronised.disconnect(on_sync)
    leaver = Person.objects.get(employee_number="A005")
    assert result.deactivated == 1
    assert not leaver.is_active and leaver.left_at is not None
    assert announced[-1] == [leaver.pk]
    result = hr_import_run(raw=csv_bytes(ROWS))
    leaver.refresh_from_db()
    assert leaver.is_active and leaver.left_at is None and result.reactivated == 1


def test_accounts_not_managed_by_hr_are_left_alone():
    hr_import_run(raw=csv_bytes(ROWS))
    admin = Person.objects.create_user(email="it-admin@example.jp", password="x" * 16)
    hr_import_run(raw=csv_bytes(ROWS))
    admin.refresh_from_db()
    assert admin.is_active


def test_taking_over_an_administrator_address_is_refused():
    Person.objects.create_user(email="boss@example.jp", password="x" * 16)
    with pytest.raises(HRImportError, match="人事データ管理外"):
        hr_import_run(raw=csv_bytes(ROWS))


def test_a_partial_file_cannot_deactivate_most_people_by_accident():
    hr_import_run(raw=csv_bytes(ROWS))
    with pytest.raises(HRImportError, match="在籍者 5 名のうち 3 名が無効"):
        hr_import_run(raw=csv_bytes(ROWS[:2]))
    assert Person.objects.filter(is_active=True).count() == 5
    result = hr_import_run(raw=csv_bytes(ROWS[:2]), allow_mass_deactivation=True)
    assert result.deactivated == 3


def test_command_reports_counts_and_rejects_bad_files(tmp_path):
    good = tmp_path / "hr.csv"
    good.write_bytes(csv_bytes(ROWS, "cp932"))
    out = io.StringIO()
    call_command("import_people", str(good), "--no-progress", stdout=out)
    assert "created 5" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["A009,x@example.jp,誰,か,NOPE,CC,REGULAR,,"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_people", str(bad), "--no-progress", stderr=err)
    assert "会社コード「NOPE」は登録されていません" in err.getvalue()
