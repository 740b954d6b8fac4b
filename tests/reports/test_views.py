"""Who sees which dashboard, and that looking at named results and exporting are audited."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import people as pf

pytestmark = pytest.mark.django_db


def test_training_administrator_reads_the_whole_dashboard(client, world, django_assert_max_num_queries):
    client.force_login(world["admin"])
    with django_assert_max_num_queries(45):
        response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "営業部" in body and "カスタマーセンター" in body
    assert "<svg" in body
    # CSP: no inline script, no style attributes (Wagtail's user bar: an external file and JSON data).
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", body)
    assert 'style="' not in body


def test_manager_sees_their_units_and_drills_down(client, world):
    client.force_login(world["manager"])
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "営業部" in body
    assert "カスタマーセンター" not in body
    assert client.get(reverse("reports:unit", args=["HACHINOHE"])).status_code == 200
    assert client.get(reverse("reports:unit", args=["HACHI_EAST"])).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:unit", args=["CC"]),
        reverse("reports:unit", args=["NO_SUCH_UNIT"]),
        reverse("reports:export", args=["units", "csv"]) + "?unit=CC",
        reverse("reports:overdue") + "?unit=CC",
        reverse("reports:person", args=["E0006"]),  # cc1, outside SALES
        reverse("reports:regulator"),
        reverse("reports:xapi") + "?unit=CC",
    ],
)
def test_manager_gets_404_outside_their_units(client, world, url):
    client.force_login(world["manager"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:dashboard"),
        reverse("reports:unit", args=["SALES"]),
        reverse("reports:overdue"),
        reverse("reports:person", args=["E0001"]),
        reverse("reports:export", args=["units", "csv"]),
        reverse("reports:export", args=["assignments", "xlsx"]),
        reverse("reports:xapi"),
        reverse("reports:regulator"),
    ],
)
def test_employees_and_site_administrators_get_404(client, world, mfa_user, url):
    client.force_login(world["cc2"])
    assert client.get(url).status_code == 404
    root = mfa_user("site_administrators", unit_code="CC", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(url).status_code == 404


def test_looking_at_a_person_is_audited(client, world):
    client.force_login(world["manager"])
    response = client.get(reverse("reports:person", args=["E0001"]))
    assert response.status_code == 200
    assert "行為規制の基本" in response.content.decode()
    entry = AuditEntry.objects.filter(action="reports.person_results_viewed").get()
    assert entry.actor_id == world["manager"].pk
    assert entry.target_id == str(world["hachi1"].pk)


def test_overdue_list_names_the_manager_and_is_audited(client, world):
    client.force_login(world["manager"])
    response = client.get(reverse("reports:overdue") + "?unit=HACHINOHE")
    body = response.content.decode()
    assert response.status_code == 200
    # hachi1's manager is the SALES manager.
    assert world["manager"].get_full_name() in body
    entry = AuditEntry.objects.filter(action="reports.overdue_viewed").latest("seq")
    assert "E0001" in entry.detail["shown"]


def test_bad_cycle_gets_a_message(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("reports:export", args=["units", "csv"]) + "?cycle=last-year")
    assert response.status_code == 400
    assert "Unknown cycle" in response.content.decode() or "不明" in response.content.decode()


def test_home_panel_and_nav_link_for_managers_only(client, world):
    client.force_login(world["manager"])
    from reports.wagtail_hooks import reports_home_panel, reports_staff_nav

    class Req:
        user = world["manager"]

    assert reports_staff_nav(Req)[0]["url"] == reverse("reports:dashboard")
    assert reverse("reports:dashboard") in reports_home_panel(Req)
    Req.user = world["cc2"]
    assert reports_staff_nav(Req) == []
    assert reports_home_panel(Req) is None
    Req.user = pf.person(email="m2@example.jp", unit_code="CC", groups=("managers",))
    # In the managers group but managing no unit: nothing to show.
    assert reports_staff_nav(Req) == []


def test_wagtail_admin_menu_links_the_dashboard_for_training_administrators(client, world):
    from django.contrib.auth.models import Permission

    admin = world["admin"]
    admin.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert reverse("reports:dashboard") in response.content.decode()


def test_a_manager_sees_weak_points_without_a_link_into_the_wagtail_admin(client, world):
    """A manager has no Wagtail admin access: a link to the snippet editor only bounced between
    /admin/ and the login page, so the question stays on the dashboard with its share."""
    client.force_login(world["manager"])
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert "rp-weak-share" in body  # the weak points are there
    assert "/admin/snippets/" not in body


def test_a_training_administrator_who_may_edit_question_banks_gets_the_edit_link(client, world):
    from django.contrib.auth.models import Permission

    admin = world["admin"]
    admin.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_questionbank")
    )
    client.force_login(admin)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert "/admin/snippets/quizzes/questionbank/edit/" in body


def test_the_unit_page_leaves_the_header_search_box_empty(client, world):
    client.force_login(world["manager"])
    body = client.get(reverse("reports:unit", args=["SALES"])).content.decode()
    search_box = re.search(r'<input id="site-search"[^>]*>', body).group(0)
    assert 'value=""' in search_box
    # The dashboard's own links still keep the unit.
    assert reverse("reports:overdue") + "?unit=SALES" in body


def test_the_regulator_form_labels_its_period_fields_as_a_period(client, world):
    client.force_login(world["admin"])
    body = client.get(reverse("reports:regulator"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "異動元" not in body and "異動先" not in body
    assert re.search(r'<label for="start">開始日</label>', body)
    assert re.search(r'<label for="end">終了日</label>', body)


def test_the_home_panel_is_styled_by_a_stylesheet_the_home_page_loads(client, world, settings):
    """Every class in the training-compliance panel has a rule in a stylesheet linked from home."""
    from django.contrib.staticfiles import finders

    from portal.demo import load as load_portal

    load_portal(__import__("io").StringIO())
    client.force_login(world["manager"])
    body = client.get("/").content.decode()
    panel = re.search(r'<section class="card" aria-labelledby="reports-home">.*?</section>', body, re.S).group(0)
    css = ""
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', body):
        with open(finders.find(href), encoding="utf-8") as f:
            css += f.read()
    classes = {c for attr in re.findall(r'class="([^"]+)"', panel) for c in attr.split()} - {"card", "button"}
    assert classes
    for name in classes:
        assert "." + name in css, name


def test_dashboard_bars_mark_the_overdue_share_with_a_pattern_as_well_as_colour(client, world):
    client.force_login(world["manager"])
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert body.count('<pattern id="rp-hatch"') == 1
    bars = re.findall(r'<td class="bar"><svg.*?</svg>', body, re.S)
    assert bars
    assert all('class="rp-bar-late"' in bar for bar in bars)
    css = (Path(__file__).resolve().parents[2] / "reports/static/reports/reports.css").read_text()
    assert re.search(r"\.rp-bar-late \{ fill: url\(#rp-hatch\); \}", css)
