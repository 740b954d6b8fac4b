import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from people.hr_import import hr_import_run
from people.models import Person, Transfer
from tests.training.conftest import read_lesson
from training import selectors, services
from training.models import Assignment, TransferChecklist

COLUMNS = ["社員番号", "メールアドレス", "姓", "名", "会社コード", "所属コード", "雇用区分", "職務", "上長社員番号"]


def hr_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def staff(org, make_module):
    make_module("everyone", everyone=True)
    make_module("sales", units=("SALES",))
    make_module("cc", units=("CC",))
    rows = [
        ["M1", "mover@example.jp", "異動", "太郎", "MICHINOKU", "HACHINOHE", "REGULAR", "SALES", "M2"],
        ["M2", "sales-boss@example.jp", "営業", "部長", "MICHINOKU", "HACHINOHE", "REGULAR", "SALES;MANAGER", ""],
        ["M3", "cc-boss@example.jp", "窓口", "課長", "MICHINOKU", "CC", "REGULAR", "CALL_CENTRE;MANAGER", ""],
    ]
    return rows


def run_import(rows, capture):
    with capture(execute=True):
        hr_import_run(raw=hr_csv(rows))


def test_transfer_through_hr_import_assigns_new_modules_keeps_history_and_creates_a_checklist(
    staff, django_capture_on_commit_callbacks, client
):
    run_import(staff, django_capture_on_commit_callbacks)
    mover = Person.objects.get(email="mover@example.jp")
    assert set(Assignment.objects.filter(person=mover).values_list("module__slug", flat=True)) == {"everyone", "sales"}
    sales_assignment = Assignment.objects.get(person=mover, module__slug="sales")
    for key in sales_assignment.module.lesson_keys():
        read_lesson(assignment=sales_assignment, lesson_key=key)

    moved = [list(r) for r in staff]
    moved[0][5], moved[0][7], moved[0][8] = "CC", "CALL_CENTRE", "M3"
    run_import(moved, django_capture_on_commit_callbacks)

    transfer = Transfer.objects.get(person=mover)
    assert transfer.to_unit.code == "CC"
    rows = {a.module.slug: a for a in Assignment.objects.filter(person=mover).select_related("module")}
    assert set(rows) == {"everyone", "sales", "cc"}
    assert rows["cc"].is_open
    # History kept: the completed sales module and its certificate stay.
    assert rows["sales"].status == "completed" and rows["sales"].certificate
    assert rows["everyone"].is_open

    checklist = TransferChecklist.objects.get(transfer=transfer)
    cc_boss = Person.objects.get(email="cc-boss@example.jp")
    sales_boss = Person.objects.get(email="sales-boss@example.jp")
    assert selectors.can_countersign(checklist=checklist, person=cc_boss)
    assert not selectors.can_countersign(checklist=checklist, person=sales_boss)
    assert not selectors.can_countersign(checklist=checklist, person=mover)

    # Both see it on their home pages until done.
    client.force_login(mover)
    assert f"/training/checklists/{checklist.pk}/" in client.get("/").content.decode()
    client.force_login(cc_boss)
    assert f"/training/checklists/{checklist.pk}/" in client.get("/").content.decode()

    # The manager cannot countersign before the transferee confirms; the transferee must tick everything.
    with pytest.raises(ValidationError):
        services.checklist_countersign(checklist=checklist, manager=cc_boss)
    with pytest.raises(ValidationError):
        services.checklist_confirm(checklist=checklist, person=mover, items=["no_material"])
    checklist.refresh_from_db()
    assert checklist.confirmed_at is None

    client.force_login(mover)
    client.post(f"/training/checklists/{checklist.pk}/", {"action": "confirm", "items": TransferChecklist.Item.values})
    checklist.refresh_from_db()
    assert checklist.confirmed_at is not None

    client.force_login(sales_boss)
    assert client.get(f"/training/checklists/{checklist.pk}/").status_code == 404
    client.force_login(cc_boss)
    client.post(f"/training/checklists/{checklist.pk}/", {"action": "countersign", "note": "確認済み"})
    checklist.refresh_from_db()
    assert checklist.countersigned_by == cc_boss and checklist.is_done
    assert f"/training/checklists/{checklist.pk}/" not in client.get("/").content.decode()
    client.force_login(mover)
    assert f"/training/checklists/{checklist.pk}/" not in client.get("/").content.decode()


def test_manager_of_a_parent_unit_may_countersign(org, make_person):
    boss = make_person(unit_code="SALES")
    org["SALES"].managers.add(boss)
    mover = make_person(unit_code="CC")
    transfer = Transfer.objects.create(
        person=mover, from_unit=org["CC"], to_unit=org["SENDAI_KITA"], effective_on=dt.date(2026, 6, 1)
    )
    checklist = services.checklist_create_for_transfer(transfer=transfer)
    assert services.checklist_create_for_transfer(transfer=transfer) == checklist
    assert selectors.can_countersign(checklist=checklist, person=boss)
    assert checklist in selectors.open_checklists(person=boss)[1]


def test_overdue_checklists_are_listed_for_training_administrators(org, make_person, client):
    import time_machine

    from people.roles import TRAINING_ADMINISTRATORS
    from tests.factories import people as pf

    mover = make_person(unit_code="CC", family_name="遅延")
    transfer = Transfer.objects.create(
        person=mover, from_unit=org["CC"], to_unit=org["SENDAI_KITA"], effective_on=dt.date(2026, 6, 1)
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        checklist = services.checklist_create_for_transfer(transfer=transfer)
    assert checklist in selectors.checklists_overdue()
    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    client.force_login(admin)
    html = client.get("/training/manage/").content.decode()
    assert "遅延" in html and "仙台北営業所" in html
