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
    # Each run ends with its last character alone, so that a one-character query finds it there too.
    assert segment("顧客情報の閲覧") == "顧客 客情 情報 報の の閲 閲覧 覧"
    assert segment("旧ID・パスワード") == "旧 id ぱす すわ わー ーど ど"  # katakana folded to hiragana
    assert segment("ＩＤカード") == "id かー ーど ど"  # full-width Latin folded by NFKC


def test_query_is_split_at_punctuation_into_phrases():
    assert query_phrases("派遣社員、端末") == ["派遣 遣社 社員", "端末"]
    assert query_phrases("ﾊﾟｽﾜｰﾄﾞ") == ["ぱす すわ わー ーど"]
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
    assert "<mark>八戸</mark>営業所では" in html  # the excerpt around the match, the match marked


def test_search_page_query_count_is_bounded(client, demo, django_assert_max_num_queries):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    with django_assert_max_num_queries(13):
        client.get("/search/", {"q": "閲覧"})


def test_excerpts_are_read_from_the_index_not_built_again_from_each_page(client, demo, monkeypatch):
    page = add_rule("indexed", "停電時の連絡網を確認します。")
    assert entry_of(page).text == "停電時の連絡網を確認します。"  # the text as shown, whitespace collapsed

    def not_at_search_time(self):
        raise AssertionError("a results page built a page's text again")

    monkeypatch.setattr(RulePage, "search_text", not_at_search_time)
    client.force_login(Person.objects.get(email="sales@example.jp"))
    html = client.get("/search/", {"q": "停電"}).content.decode()
    assert "<mark>停電</mark>時の連絡網" in html


def test_empty_and_symbol_only_queries_return_nothing(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    for q in ["", "、。！", '"OR*']:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200


def add_rule(slug, text):
    from portal.models import RuleIndexPage

    page = RuleIndexPage.objects.get().add_child(
        instance=RulePage(title=f"テスト {slug}", slug=slug, summary=text, legal_basis="", body=[])
    )
    page.save_revision().publish()
    return page


def test_two_word_query_ranks_the_page_mentioning_both_most_first(demo):
    """Relevance, not its opposite: Wagtail's SQLite ranking multiplied negative bm25 scores and put the best last."""
    sales = Person.objects.get(email="sales@example.jp")
    few = add_rule("few", "派遣社員の方は端末の扱いに注意します。" + "一般的な説明です。" * 30)
    many = add_rule("many", "派遣社員と端末。" * 15)
    ranked = [page.pk for page in search_pages(sales, "派遣社員 端末") if page.pk in (few.pk, many.pk)]
    assert ranked == [many.pk, few.pk]


def test_paginated_results_are_the_whole_ranked_list_cut_in_pages(demo):
    """The count is the number of visible hits, and the pages follow one another without gaps or repeats."""
    from django.core.paginator import Paginator

    sales = Person.objects.get(email="sales@example.jp")
    for number in range(5):
        add_rule(f"paged-{number}", "閲覧の手続き。" * (number + 1))
    everything = [page.pk for page in search_pages(sales, "閲覧")]
    paginator = Paginator(search_pages(sales, "閲覧"), 2)
    assert paginator.count == len(everything) == len(pages_containing("閲覧"))
    pages = [paginator.page(n) for n in paginator.page_range]
    assert [page.pk for p in pages for page in p] == everything


def test_results_of_a_slice_know_their_kind(demo):
    sales = Person.objects.get(email="sales@example.jp")
    first = search_pages(sales, "閲覧")[0]
    assert first.specific_class.search_kind_label  # a RulePage / QAPage / NewsPage, not a bare Page
    assert search_pages(sales, "閲覧")[10_000:10_020] == []


def test_hiragana_katakana_and_half_width_find_the_same_pages(demo):
    sales = Person.objects.get(email="sales@example.jp")
    expected = pages_containing("スイッチング")
    assert expected
    for spelling in ("すいっちんぐ", "ｽｲｯﾁﾝｸﾞ", "スイッチング"):
        assert titles(sales, spelling) == expected, spelling
    assert titles(sales, "ぱすわーど") == titles(sales, "パスワード") == pages_containing("パスワード") != set()


def test_one_character_query_finds_the_pages_containing_it(demo):
    sales = Person.objects.get(email="sales@example.jp")
    expected = pages_containing("閲")
    assert expected
    assert titles(sales, "閲") == expected


def test_one_character_at_the_end_of_a_word_is_found(demo):
    sales = Person.objects.get(email="sales@example.jp")
    page = add_rule("last-char", "規程の最後に鑑。")  # 鑑 ends its run: no bigram starts with it
    assert page.title in titles(sales, "鑑")


def test_excerpt_marks_the_matched_words_and_escapes_the_text(client, demo):
    add_rule("marked", "<b>注意</b> スイッチングの手続きでは閲覧記録を残します。")
    client.force_login(Person.objects.get(email="sales@example.jp"))
    html = client.get("/search/", {"q": "すいっちんぐ 閲覧"}).content.decode()
    assert "&lt;b&gt;注意&lt;/b&gt; <mark>スイッチング</mark>の手続きでは<mark>閲覧</mark>記録" in html


def entry_of(page):
    from portal.search.models import SearchEntry

    return SearchEntry.objects.filter(page_id=page.pk).first()


def test_publishing_writes_the_pages_entry_and_unpublishing_removes_it(demo):
    page = add_rule("entry", "災害時の連絡網を確認します。")
    assert "連絡" in entry_of(page).body  # the segmented, folded text
    page.unpublish()
    assert entry_of(page) is None
    page.get_latest_revision().publish()
    assert entry_of(page) is not None


def test_deleting_a_page_deletes_its_entry(demo):
    from portal.search.models import SearchEntry

    page = add_rule("deleted", "削除される規程。")
    pk = page.pk
    page.delete()
    assert not SearchEntry.objects.filter(page_id=pk).exists()


def test_only_live_pages_of_the_searchable_kinds_have_entries_and_a_rebuild_writes_the_same(demo):
    from io import StringIO

    from django.core.management import call_command
    from wagtail.models import Page

    from portal.search.models import SearchEntry
    from portal.search.query import searchable_page_models

    before = dict(SearchEntry.objects.values_list("page_id", "body"))
    assert set(before) == set(Page.objects.live().type(*searchable_page_models()).values_list("pk", flat=True))
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=StringIO())
    assert dict(SearchEntry.objects.values_list("page_id", "body")) == before


def test_search_reads_only_the_projects_own_index(client, demo):
    """Never Wagtail's search tables (wagtailsearch_*): the project owns the index it queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(Person.objects.get(email="sales@example.jp"))
    with CaptureQueriesContext(connection) as queries:
        assert "<mark>" in client.get("/search/", {"q": "閲覧"}).content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "portal_searchentry" in sql
    assert "wagtailsearch" not in sql


def test_an_alias_is_not_a_second_result(demo):
    """A result leads to the page itself, once; an alias elsewhere would also escape its source's restrictions."""
    sales = Person.objects.get(email="sales@example.jp")
    restricted = RulePage.objects.get(slug="audit-checklist")
    alias = restricted.create_alias(parent=RulePage.objects.get(slug="switching").get_parent(), update_slug="alias")
    restricted.save_revision().publish()  # Wagtail publishes the alias's copy too (page_published)
    assert entry_of(alias) is None
    assert restricted.title not in titles(sales, "閲覧")
    compliance = Person.objects.get(email="compliance@example.jp")
    assert [p.pk for p in search_pages(compliance, restricted.title) if p.title == restricted.title] == [restricted.pk]
