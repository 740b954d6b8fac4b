import io
import re

import pytest

from casebook import demo
from casebook.models import CaseRuleLink, CaseStudyPage, CauseItem


def test_demo_loads_every_case_of_the_story_once(demo_casebook):
    demo.load(io.StringIO())  # a second run changes nothing

    slugs = set(CaseStudyPage.objects.live().values_list("slug", flat=True))
    assert slugs == {case["slug"] for case in demo.CASES}
    assert CaseStudyPage.objects.count() == 7
    assert CauseItem.objects.count() == sum(len(texts) for case in demo.CASES for texts in case["causes"].values())


def test_demo_links_cases_to_existing_rule_pages_and_skips_missing_ones(demo_casebook, rules):
    hachinohe = CaseStudyPage.objects.get(slug="hachinohe-shared-counter")
    linked = set(CaseRuleLink.objects.filter(page=hachinohe).values_list("rule__slug", flat=True))
    # "buildings" and "enquiries" rule pages do not exist in this fixture, so only one link is made.
    assert linked == {"confidential-information"}
    transfer_case = CaseStudyPage.objects.get(slug="transferee-id-record-statistics-system")
    assert set(transfer_case.rule_links.values_list("rule__slug", flat=True)) == {
        "transfers",
        "confidential-information",
    }


@pytest.mark.parametrize("slug", [case["slug"] for case in demo.CASES])
def test_each_demo_case_page_renders_its_sections_and_the_triangle(client, employee, demo_casebook, slug):
    client.force_login(employee)
    page = CaseStudyPage.objects.get(slug=slug)

    response = client.get(page.url)

    assert response.status_code == 200
    html = response.content.decode()
    for heading in ["何が起きたか", "なぜ起きたか", "再発防止策", "部門ごとの教訓"]:
        assert heading in html, heading
    svg = re.search(r"<svg[^>]*class=\"fraud-triangle\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="triangle-title triangle-desc"' in svg
    assert "機会" in svg and "動機" in svg and "正当化" in svg
    # every cause is written in the picture's description and listed in HTML as well
    for cause in page.causes.all():
        assert cause.text in re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
        assert f"<li>{cause.text}</li>" in html
    # our CSP forbids inline script and style attributes
    assert "<script" not in html
    assert " style=" not in html


def test_case_page_shows_its_countermeasures_with_status_and_date(client, employee, demo_casebook):
    client.force_login(employee)
    page = CaseStudyPage.objects.get(slug="hachinohe-shared-counter")

    html = client.get(page.url).content.decode()

    assert "共用している業務システムを物理的に分割し、共同利用を解消する" in html
    assert "2029年1月31日" in html
    assert "予定" in html and "完了" in html


def test_lessons_for_the_readers_own_department_come_first(client, demo_casebook, django_user_model):
    from people.models import EmploymentType

    temp = django_user_model.objects.create_user(
        "temp-reader@example.jp",
        "pw-123456789012",
        employment_type=EmploymentType.objects.create(code="TEMP", name="派遣社員"),
    )
    client.force_login(temp)
    page = CaseStudyPage.objects.get(slug="iwate-sanriku-sendai-kita-temp-terminals")

    html = client.get(page.url).content.decode()

    lessons = html[html.index("部門ごとの教訓") :]
    # the temp-staff lesson, then the sales lesson that comes first in the page's own order
    assert lessons.index("画面に表示されたからといって") < lessons.index("端末を受け取ったら")
    assert "あなたの部門" in lessons


def test_rule_page_lists_the_cases_that_broke_it(client, employee, demo_casebook, rules):
    client.force_login(employee)

    html = client.get(rules["transfers"].url).content.decode()

    assert "この規則に違反した事例" in html
    assert "異動前のID・パスワードで記録統計システムを閲覧（6名）" in html
    assert "異動前のID・パスワードで系統情報イントラネットを閲覧（14名）" in html
    assert "八戸営業所" not in html


def test_rule_page_without_cases_shows_no_case_panel(client, employee, home, rules):
    client.force_login(employee)

    html = client.get(rules["gifts"].url).content.decode()

    assert "この規則に違反した事例" not in html


def test_unpublished_case_is_not_listed_on_the_rule_page(client, employee, demo_casebook, rules):
    client.force_login(employee)
    CaseStudyPage.objects.get(slug="transferee-id-grid-information-intranet").unpublish()

    html = client.get(rules["transfers"].url).content.decode()

    assert "記録統計システム" in html
    assert "系統情報イントラネット" not in html


def test_a_rule_page_already_shared_follows_its_cases(client, employee, demo_casebook, rules):
    # Read three times: the cases panel is cached from the first.
    client.force_login(employee)
    url = rules["transfers"].url
    for _ in range(3):
        assert "系統情報イントラネット" in client.get(url).content.decode()
    case = CaseStudyPage.objects.get(slug="transferee-id-grid-information-intranet")

    case.unpublish()
    assert "系統情報イントラネット" not in client.get(url).content.decode()

    case.get_latest_revision().publish()
    assert "系統情報イントラネット" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("八戸", {"hachinohe-shared-counter"}, {"customer-centre-case-3-contractors"}),
        ("派遣社員", {"iwate-sanriku-sendai-kita-temp-terminals"}, {"transferee-id-grid-information-intranet"}),
        (
            "ID",
            {"transferee-id-record-statistics-system", "transferee-id-grid-information-intranet"},
            {"customer-centre-case-2-moving-season"},
        ),
    ],
)
def test_site_search_finds_cases(client, employee, demo_casebook, query, expected, absent):
    client.force_login(employee)

    response = client.get("/search/", {"q": query})

    found = {p.slug for p in response.context["results"] if p.specific_class is CaseStudyPage}
    assert expected <= found
    assert not (absent & found)
    assert "事例" in response.content.decode()  # the result's kind label


def test_editors_can_open_the_case_editor_in_wagtail(client, demo_casebook, mfa_user):
    from people.roles import SITE_ADMINISTRATORS

    editor = mfa_user(SITE_ADMINISTRATORS, is_superuser=True, is_staff=True)
    client.force_login(editor)
    case = CaseStudyPage.objects.get(slug="hachinohe-shared-counter")

    add = client.get(f"/admin/pages/add/casebook/casestudypage/{demo_casebook.pk}/")
    edit = client.get(f"/admin/pages/{case.pk}/edit/")

    assert add.status_code == 200
    assert edit.status_code == 200
    assert "機会" in edit.content.decode() or "opportunity" in edit.content.decode()


def test_rule_page_case_panel_follows_publishing_after_it_was_cached(client, employee, demo_casebook, rules):
    from wagtail.models import PageViewRestriction

    client.force_login(employee)
    url = rules["transfers"].url
    assert "系統情報イントラネット" in client.get(url).content.decode()  # the panel is cached now
    case = CaseStudyPage.objects.get(slug="transferee-id-grid-information-intranet")

    case.unpublish()
    assert "系統情報イントラネット" not in client.get(url).content.decode()

    case.save_revision().publish()
    assert "系統情報イントラネット" in client.get(url).content.decode()

    PageViewRestriction.objects.create(page=case, restriction_type=PageViewRestriction.LOGIN)
    assert "系統情報イントラネット" not in client.get(url).content.decode()


def test_the_rule_page_case_panel_is_read_from_the_cache_until_a_case_changes(client, employee, demo_casebook, rules):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(employee)
    url = rules["transfers"].url
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert "系統情報イントラネット" in client.get(url).content.decode()
    assert not [q for q in queries.captured_queries if "casebook_" in q["sql"]]

    CaseStudyPage.objects.get(slug="transferee-id-grid-information-intranet").unpublish()
    assert "系統情報イントラネット" not in client.get(url).content.decode()
