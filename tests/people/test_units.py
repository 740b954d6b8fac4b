"""The unit tree on treebeard: adding, moving and deleting units, in the admin and through the services."""

import re

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from people.models import Unit
from people.services import UnitInUse, unit_delete, unit_move
from tests.factories import people as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """HQ and SALES at the top, SALES with two offices, one office with a desk."""
    hq = pf.unit("HQ", "本店", kind=Unit.Kind.DIVISION)
    sales = pf.unit("SALES", "営業部", kind=Unit.Kind.DIVISION)
    pf.unit("HACHINOHE", "八戸営業所", parent=sales)
    pf.unit("AOMORI", "青森営業所", parent=sales)
    pf.unit("HACHI_EAST", "八戸東分室", parent=Unit.objects.get(code="HACHINOHE"))
    return {"HQ": hq.pk, "SALES": sales.pk}


def moves() -> list[tuple[int | None, str, dict]]:
    """The `people.unit_moved` audit entries, oldest first: (actor, moved unit's code, detail)."""
    entries = AuditEntry.objects.filter(action="people.unit_moved").order_by("seq")
    return [(e.actor_id, Unit.objects.get(pk=e.target_id).code, e.detail) for e in entries]


def codes_in_tree_order() -> list[tuple[str, int]]:
    return list(Unit.objects.values_list("code", "depth"))


def parent_code(code: str) -> str | None:
    parent = Unit.objects.get(code=code).get_parent()
    return parent.code if parent else None


@pytest.fixture
def superuser(mfa_user):
    return mfa_user(unit_code="IT", email="root@example.jp", is_superuser=True, is_staff=True)


def test_units_are_kept_in_code_order_under_their_parents(tree):
    assert codes_in_tree_order() == [
        ("HQ", 1),
        ("SALES", 1),
        ("AOMORI", 2),
        ("HACHINOHE", 2),
        ("HACHI_EAST", 3),
    ]
    assert [u.code for u in Unit.objects.get(code="SALES").subtree()] == ["SALES", "AOMORI", "HACHINOHE", "HACHI_EAST"]
    assert Unit.find_problems() == ([], [], [], [], [])


def test_moving_a_unit_takes_its_subtree_along(tree):
    unit_move(unit=Unit.objects.get(code="HACHINOHE"), parent=Unit.objects.get(code="HQ"), actor=None)
    assert codes_in_tree_order() == [
        ("HQ", 1),
        ("HACHINOHE", 2),
        ("HACHI_EAST", 3),
        ("SALES", 1),
        ("AOMORI", 2),
    ]
    assert parent_code("HACHI_EAST") == "HACHINOHE"
    assert Unit.objects.get(code="SALES").numchild == 1
    assert Unit.find_problems() == ([], [], [], [], [])


def test_moving_a_unit_to_the_top_puts_it_among_the_top_units_in_code_order(tree):
    unit_move(unit=Unit.objects.get(code="HACHINOHE"), parent=None, actor=None)
    assert [code for code, depth in codes_in_tree_order() if depth == 1] == ["HACHINOHE", "HQ", "SALES"]
    assert parent_code("HACHI_EAST") == "HACHINOHE"
    assert Unit.find_problems() == ([], [], [], [], [])
    assert moves() == [(None, "HACHINOHE", {"unit": "HACHINOHE", "from": "SALES", "to": None})]


def test_a_unit_with_units_below_cannot_be_deleted(tree):
    with pytest.raises(ProtectedError):
        Unit.objects.get(code="HACHINOHE").delete()
    assert Unit.objects.filter(code="HACHI_EAST").exists()
    Unit.objects.get(code="HACHI_EAST").delete()
    Unit.objects.get(code="HACHINOHE").delete()
    assert [u.code for u in Unit.objects.get(code="SALES").subtree()] == ["SALES", "AOMORI"]


def unit_form(unit: Unit | None = None, **changes) -> dict:
    data = {"code": "", "name": "", "company": pf.company().pk, "parent": "", "kind": Unit.Kind.OFFICE}
    if unit is not None:
        parent = unit.get_parent()
        data.update(code=unit.code, name=unit.name, company=unit.company_id, kind=unit.kind)
        data["parent"] = parent.pk if parent else ""
    data.update(changes)
    return data


def test_admin_adds_a_unit_under_the_chosen_parent(client, superuser, tree):
    client.force_login(superuser)
    response = client.post(reverse("unit:add"), unit_form(code="SENDAI", name="仙台営業所", parent=tree["SALES"]))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert parent_code("SENDAI") == "SALES"
    assert [u.code for u in Unit.objects.get(code="SALES").get_children()] == ["AOMORI", "HACHINOHE", "SENDAI"]
    assert Unit.find_problems() == ([], [], [], [], [])


def test_admin_adds_a_top_level_unit_when_no_parent_is_chosen(client, superuser, tree):
    client.force_login(superuser)
    response = client.post(reverse("unit:add"), unit_form(code="CC", name="カスタマーセンター"))
    assert response.status_code == 302
    assert parent_code("CC") is None
    # IT (the superuser's unit, made by the factory) is a top-level unit too.
    assert [u.code for u in Unit.get_root_nodes()] == ["CC", "HQ", "IT", "SALES"]


def test_admin_edit_offers_no_parent_inside_the_unit_itself(client, superuser, tree):
    client.force_login(superuser)
    html = client.get(reverse("unit:edit", args=[Unit.objects.get(code="HACHINOHE").pk])).content.decode()
    options = {u.code: f'value="{u.pk}"' in html for u in Unit.objects.all()}
    assert options == {"HQ": True, "SALES": True, "AOMORI": True, "HACHINOHE": False, "HACHI_EAST": False, "IT": True}
    assert f'value="{tree["SALES"]}" selected' in html


def test_admin_edit_moves_the_unit_and_its_subtree_to_the_new_parent(client, superuser, tree):
    client.force_login(superuser)
    hachinohe = Unit.objects.get(code="HACHINOHE")
    response = client.post(
        reverse("unit:edit", args=[hachinohe.pk]), unit_form(hachinohe, name="八戸支店", parent=tree["HQ"])
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert parent_code("HACHINOHE") == "HQ" and parent_code("HACHI_EAST") == "HACHINOHE"
    assert Unit.objects.get(code="HACHINOHE").name == "八戸支店"
    assert Unit.find_problems() == ([], [], [], [], [])


def test_admin_edit_refuses_to_put_a_unit_under_its_own_subtree(client, superuser, tree):
    client.force_login(superuser)
    sales = Unit.objects.get(code="SALES")
    response = client.post(
        reverse("unit:edit", args=[sales.pk]), unit_form(sales, parent=Unit.objects.get(code="HACHI_EAST").pk)
    )
    assert response.status_code == 200  # the form again, with the error
    assert parent_code("SALES") is None and parent_code("HACHINOHE") == "SALES"


def test_admin_edit_of_a_code_keeps_the_siblings_in_code_order(client, superuser, tree):
    client.force_login(superuser)
    aomori = Unit.objects.get(code="AOMORI")
    response = client.post(reverse("unit:edit", args=[aomori.pk]), unit_form(aomori, code="ZAO"))
    assert response.status_code == 302
    assert [u.code for u in Unit.objects.get(code="SALES").get_children()] == ["HACHINOHE", "ZAO"]
    assert Unit.find_problems() == ([], [], [], [], [])
    assert moves() == []  # re-sorted under the same parent: not a move


def test_admin_move_is_audited_with_who_moved_the_unit_from_where_to_where(client, superuser, tree):
    """Managers see the subtree of their unit: a move changes whose results they see."""
    client.force_login(superuser)
    hachinohe = Unit.objects.get(code="HACHINOHE")
    response = client.post(reverse("unit:edit", args=[hachinohe.pk]), unit_form(hachinohe, parent=tree["HQ"]))
    assert response.status_code == 302
    assert moves() == [(superuser.pk, "HACHINOHE", {"unit": "HACHINOHE", "from": "SALES", "to": "HQ"})]


def listed_parents(html: str) -> dict[str, str]:
    """{code: parent unit as shown} for each row of the admin unit list."""
    table = html[html.index('<table class="listing">') :]
    table = table[: table.index("</table>")]
    cells = [re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return {row[1]: row[3] for row in cells}  # name, code, kind, parent unit, company


def test_admin_unit_list_reads_the_parents_with_the_rows(client, superuser, tree):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("unit:index"))
    parents = Unit.objects.filter(code__in=("SALES", "HACHINOHE"))
    for n in range(14):  # 20 units: one full page
        pf.unit(f"OFFICE{n:02d}", f"営業所{n}", parent=parents[n % 2])
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("unit:index")).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    expected = {u.code: getattr(u.get_parent(), "name", "") for u in Unit.objects.all()}
    assert len(expected) == 20 and listed_parents(html) == expected


def manager_changes() -> list[tuple[int | None, dict]]:
    entries = AuditEntry.objects.filter(action="people.unit_managers_changed").order_by("seq")
    return [(e.actor_id, e.detail) for e in entries]


def test_admin_change_of_a_unit_managers_is_audited(client, superuser, tree):
    """A manager sees the results of everyone in the unit and below: who became one, and who stopped, is recorded."""
    client.force_login(superuser)
    hachinohe = Unit.objects.get(code="HACHINOHE")
    first = pf.person(employee_number="M100001", unit_code="HACHINOHE")
    second = pf.person(employee_number="M100002", unit_code="HACHINOHE")
    url = reverse("unit:edit", args=[hachinohe.pk])
    assert client.post(url, unit_form(hachinohe, managers=[first.pk, second.pk])).status_code == 302
    assert client.post(url, unit_form(hachinohe, managers=[second.pk])).status_code == 302
    assert client.post(url, unit_form(hachinohe, managers=[second.pk])).status_code == 302  # no change
    assert list(hachinohe.managers.all()) == [second]
    assert manager_changes() == [
        (superuser.pk, {"unit": "HACHINOHE", "added": ["M100001", "M100002"], "removed": []}),
        (superuser.pk, {"unit": "HACHINOHE", "added": [], "removed": ["M100001"]}),
    ]


def entries(action: str) -> list[tuple[int | None, dict]]:
    return [(e.actor_id, e.detail) for e in AuditEntry.objects.filter(action=action).order_by("seq")]


def test_admin_creation_of_a_unit_is_audited_and_the_loaders_are_not(client, superuser, tree):
    client.force_login(superuser)
    response = client.post(reverse("unit:add"), unit_form(code="SENDAI", name="仙台営業所", parent=tree["SALES"]))
    assert response.status_code == 302
    # The fixture's units came from the factory, on nobody's behalf: only the admin's unit is recorded.
    assert entries("people.unit_created") == [
        (superuser.pk, {"unit": "SENDAI", "name": "仙台営業所", "parent": "SALES"}),
    ]


def test_admin_deletes_a_unit_nothing_needs_and_the_deletion_is_audited(client, superuser, tree):
    client.force_login(superuser)
    aomori = Unit.objects.get(code="AOMORI")
    page = client.get(reverse("unit:delete", args=[aomori.pk])).content.decode()
    assert 'action="' + reverse("unit:delete", args=[aomori.pk]) in page  # the confirmation form is offered
    response = client.post(reverse("unit:delete", args=[aomori.pk]))
    assert response.status_code == 302
    assert not Unit.objects.filter(code="AOMORI").exists()
    assert entries("people.unit_deleted") == [
        (superuser.pk, {"unit": "AOMORI", "name": "青森営業所", "parent": "SALES"}),
    ]
    assert Unit.find_problems() == ([], [], [], [], [])


def test_admin_says_what_still_needs_a_unit_and_deletes_nothing(client, superuser, tree):
    """Units below it, and the people in it, keep a unit: the page says so instead of a server error."""
    client.force_login(superuser)
    hachinohe = Unit.objects.get(code="HACHINOHE")
    pf.person(employee_number="M200001", unit_code="HACHINOHE")
    pf.person(employee_number="M200002", unit_code="HACHINOHE")
    url = reverse("unit:delete", args=[hachinohe.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Units below it: 1" in page and "People that name it: 2" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "下位の所属: 1" in page and "削除できません" in page
    assert f'action="{url}"' not in page  # no delete button
    response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain == [(url, 302)] and response.status_code == 200
    assert "The unit was not deleted" in response.content.decode()
    assert Unit.objects.filter(code="HACHINOHE").exists() and Unit.objects.filter(code="HACHI_EAST").exists()
    assert entries("people.unit_deleted") == []


def test_a_unit_someone_joined_meanwhile_is_not_deleted(tree):
    """The service checks again under a lock, whatever the page showed."""
    aomori = Unit.objects.get(code="AOMORI")
    pf.person(employee_number="M300001", unit_code="AOMORI")
    with pytest.raises(UnitInUse) as refused:
        unit_delete(unit=aomori, actor=None)
    assert len(refused.value.reasons) == 1
    assert Unit.objects.filter(code="AOMORI").exists()
    assert entries("people.unit_deleted") == []
