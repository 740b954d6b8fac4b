"""Japanese search (SPEC §2.2): runs on whichever database the suite runs on (SQLite or PostgreSQL)."""

import pytest
from django.contrib.auth.models import Group

from people import roles
from people.models import Person
from portal.models import NewsPage, RulePage
from portal.search.query import search_pages
from portal.search.segment import query_phrases, segment

pytestmark = pytest.mark.django_db


def titles(user, q):
    return {page.title for page in search_pages(user, q)}


def pages_containing(word, user_can_see_restricted=False):
    """The independent answer: every live demo page whose text contains the word."""
    found = set()
    for model in (RulePage, NewsPage):
        for page in model.objects.live():
            if page.slug == "audit-checklist" and not user_can_see_restricted:
                continue
            if word in page.title or word in page.search_text():
                found.add(page.title)
    from portal.models import QAPage

    for page in QAPage.objects.live():
        if word in page.title or word in page.search_text():
            found.add(page.title)
    return found


def test_segment_makes_bigrams_of_japanese_and_keeps_latin_words():
    assert segment("顧客情報の閲覧") == "顧客 客情 情報 報の の閲 閲覧"
    assert segment("旧ID・パスワード") == "旧 id パス スワ ワー ード"
    assert segment("ＩＤカード") == "id カー ード"  # full-width Latin folded by NFKC


def test_query_is_split_at_punctuation_into_phrases():
    assert query_phrases("派遣社員、端末") == ["派遣 遣社 社員", "端末"]
    assert query_phrases("  ") == []


@pytest.mark.parametrize("word", ["閲覧", "顧客情報", "スイッチング", "派遣社員", "八戸"])
def test_japanese_words_find_exactly_the_pages_containing_them(demo, word):
    sales = Person.objects.get(email="sales@example.jp")
    expected = pages_containing(word)
    assert expected, f"demo content should contain {word}"
    assert titles(sales, word) == expected


def test_word_order_matters_like_a_substring(demo):
    sales = Person.objects.get(email="sales@example.jp")
    # 情報顧客 does not occur anywhere although both of its words do.
    assert titles(sales, "情報顧客") == set()


def test_restricted_page_is_found_only_by_its_group(demo):
    restricted_title = RulePage.objects.get(slug="audit-checklist").title
    sales = Person.objects.get(email="sales@example.jp")
    compliance = Person.objects.get(email="compliance@example.jp")
    assert restricted_title not in titles(sales, "閲覧")
    assert restricted_title in titles(compliance, "閲覧")
    sales.groups.add(Group.objects.get(name=roles.COMPLIANCE_EDITORS))
    sales = Person.objects.get(pk=sales.pk)
    assert restricted_title in titles(sales, "閲覧")


def test_unpublished_pages_are_not_found(demo):
    sales = Person.objects.get(email="sales@example.jp")
    page = RulePage.objects.get(slug="disaster-response")
    assert page.title in titles(sales, "災害対応")
    page.unpublish()
    assert page.title not in titles(sales, "災害対応")


def test_search_page_lists_results_with_excerpts(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    response = client.get("/search/", {"q": "八戸"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "共用建物・共用スペースのルール" in html
    assert "八戸営業所では" in html  # the excerpt around the match


def test_search_page_query_count_is_bounded(client, demo, django_assert_max_num_queries):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    with django_assert_max_num_queries(20):
        client.get("/search/", {"q": "閲覧"})


def test_empty_and_symbol_only_queries_return_nothing(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    for q in ["", "、。！", '"OR*']:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200
