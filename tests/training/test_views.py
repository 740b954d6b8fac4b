import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from people.roles import TRAINING_ADMINISTRATORS
from tests.factories import people as pf
from tests.training.conftest import read_lesson
from training import services
from training.models import Assignment

from .conftest import jst


@pytest.fixture
def modules(make_module):
    return {
        "everyone": make_module("everyone", everyone=True, title="全員向け"),
        "cc": make_module("cc", units=("CC",), title="コールセンター向け"),
    }


def test_module_outside_the_audience_is_a_404(client, modules, make_person):
    sales = make_person(unit_code="HACHINOHE")
    services.assignments_sync()
    client.force_login(sales)
    assert client.get(modules["everyone"].url).status_code == 200
    assert client.get(modules["cc"].url).status_code == 404
    key = modules["cc"].lesson_keys()[0]
    assert client.get(f"{modules['cc'].url}lessons/{key}/").status_code == 404
    assert client.post(f"{modules['cc'].url}lessons/{key}/").status_code == 404


def test_modules_are_not_in_site_search(client, modules, make_person):
    client.force_login(make_person(unit_code="HACHINOHE"))
    response = client.get("/search/", {"q": "スイッチング"})
    assert response.status_code == 200
    assert "コールセンター向け" not in response.content.decode()


def test_reading_lessons_through_the_pages_completes_a_module_without_quiz(client, modules, make_person):
    """A lesson counts once open for its minimum time, or once its end was reached a while after opening."""
    import time_machine

    person = make_person(unit_code="CC")
    services.assignments_sync()
    client.force_login(person)
    module = modules["cc"]
    first, second = module.lesson_keys()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        page = client.get(f"{module.url}lessons/{first}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "<details>" in html  # the scenario's recommended answer is behind a disclosure
        assert f'data-end-url="{module.url}lessons/{first}/end/"' in html
    with time_machine.travel(start + dt.timedelta(seconds=1), tick=False):
        response = client.post(f"{module.url}lessons/{first}/", follow=True)
        assert "seconds more" in response.content.decode() or "秒" in response.content.decode()
    assignment = Assignment.objects.get(person=person, module=module)
    assert not assignment.lesson_progress.exists()
    minimum = services.lesson_min_seconds(lesson=module.lesson_list()[0])
    with time_machine.travel(start + dt.timedelta(seconds=minimum), tick=False):
        response = client.post(f"{module.url}lessons/{first}/")
    assert response.status_code == 302 and response["Location"].endswith(f"lessons/{second}/")
    later = start + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        client.get(f"{module.url}lessons/{second}/")
    with time_machine.travel(later + dt.timedelta(seconds=services.LESSON_END_MIN_SECONDS), tick=False):
        assert client.post(f"{module.url}lessons/{second}/end/").status_code == 204
        response = client.post(f"{module.url}lessons/{second}/")
    assert response["Location"] == module.url
    assignment.refresh_from_db()
    assert assignment.status == "completed"
    overview = client.get(module.url).content.decode()
    assert reverse("certificates:download", args=[assignment.certificate.pk]) in overview


def test_my_training_lists_status_due_date_and_progress(client, modules, make_person, django_assert_max_num_queries):
    import time_machine

    person = make_person(unit_code="CC")
    with time_machine.travel(jst(2026, 6, 1, 10, 0), tick=False):
        services.assignments_sync()
    assignment = Assignment.objects.get(person=person, module=modules["cc"])
    read_lesson(assignment=assignment, lesson_key=modules["cc"].lesson_keys()[0])
    client.force_login(person)
    with django_assert_max_num_queries(20):
        response = client.get("/training/")
    html = response.content.decode()
    assert "全員向け" in html and "コールセンター向け" in html
    assert "2026年7月1日" in html  # 30 days after 1 June, in Japanese date format
    assert '<progress max="100" value="50"' in html


def test_my_training_query_count_does_not_grow_with_assignments(
    client, make_module, make_person, django_assert_max_num_queries
):
    person = make_person()
    for i in range(12):
        make_module(f"m{i}", everyone=True)
    services.assignments_sync()
    client.force_login(person)
    with django_assert_max_num_queries(20):
        assert client.get("/training/").status_code == 200


def test_home_page_shows_open_training(client, modules, make_person):
    person = make_person(unit_code="CC")
    services.assignments_sync()
    client.force_login(person)
    html = client.get("/").content.decode()
    assert "全員向け" in html and "コールセンター向け" in html


def test_certificate_download_only_by_owner_and_verify_is_public(client, modules, make_person):
    owner = make_person(unit_code="HACHINOHE")
    other = make_person(unit_code="HACHINOHE")
    services.assignments_sync()
    assignment = Assignment.objects.get(person=owner, module=modules["everyone"])
    for key in modules["everyone"].lesson_keys():
        read_lesson(assignment=assignment, lesson_key=key)
    certificate = Assignment.objects.get(pk=assignment.pk).certificate
    url = reverse("certificates:download", args=[certificate.pk])
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.logout()
    ok = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert ok.status_code == 200
    html = ok.content.decode()
    assert owner.get_full_name() in html and "全員向け" in html and "年度" in html
    unknown = client.get(reverse("certificates:verify", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]))
    assert unknown.status_code == 404
    assert certificate.person_name not in unknown.content.decode()
    assert "ZZZZ-ZZZZ-ZZZZ-ZZZZ" in unknown.content.decode()


def test_administration_is_for_training_administrators_only(client, modules, make_person):
    employee = make_person()
    client.force_login(employee)
    assert client.get("/training/manage/").status_code == 404
    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    target = make_person(unit_code="HACHINOHE", email="target@example.jp")
    client.force_login(admin)
    response = client.post(
        "/training/manage/", {"person": "target@example.jp", "module": modules["cc"].pk, "due_date": ""}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(person=target, module=modules["cc"])
    assert assignment.source == "manual"
    bad = client.post(f"/training/manage/assignments/{assignment.pk}/exempt/", {"reason": ""})
    assert bad.status_code == 200
    assignment.refresh_from_db()
    assert assignment.status == "assigned"
    client.post(f"/training/manage/assignments/{assignment.pk}/exempt/", {"reason": "産休中"})
    assignment.refresh_from_db()
    assert assignment.status == "exempted" and assignment.exemption_reason == "産休中"
    unknown = client.post("/training/manage/", {"person": "nobody@example.jp", "module": modules["cc"].pk})
    assert unknown.status_code == 200
    assert unknown.context["form"].errors["person"]
    assert Assignment.objects.filter(source="manual").count() == 1


def test_wagtail_admin_edits_modules_with_an_audience_tab(client, modules, make_person):
    admin = make_person(is_superuser=True, is_staff=True)
    pf.enrol_totp(admin)
    client.force_login(admin)
    response = client.get(f"/admin/pages/{modules['cc'].pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="audience_units"' in html and 'name="due_days"' in html and 'name="slug"' in html


def test_manage_list_query_count_does_not_grow_with_rows(client, modules, make_person, django_assert_max_num_queries):
    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    for _ in range(25):
        make_person(unit_code="CC")
    services.assignments_sync()
    client.force_login(admin)
    with django_assert_max_num_queries(25):
        response = client.get("/training/manage/", {"module": modules["cc"].pk, "status": "assigned"})
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 25
    entry = AuditEntry.objects.filter(action="training.assignments_viewed").order_by("-seq").first()
    assert entry.actor == admin and len(entry.detail["people"]) == 25


def test_verify_form_normalises_the_typed_code(client, modules, make_person):
    person = make_person()
    services.assignments_sync()
    assignment = Assignment.objects.get(person=person, module=modules["everyone"])
    for key in modules["everyone"].lesson_keys():
        read_lesson(assignment=assignment, lesson_key=key)
    code = Assignment.objects.get(pk=assignment.pk).certificate.code
    client.logout()
    response = client.get("/certificates/verify/", {"code": code.replace("-", "").lower()})
    assert response.status_code == 302 and response["Location"] == reverse("certificates:verify", args=[code])
