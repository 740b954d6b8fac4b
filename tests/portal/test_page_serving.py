"""Pages served by Wagtail, with fragments of them cached (docs/deployment.md, What is cached):
every reader sees the page as it is now, their own header, their departments' sections and
their language, and never another reader's."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from people.models import Person, Unit
from portal.blocks import Audience
from portal.models import NewsIndexPage, NewsPage, RuleIndexPage, RulePage

pytestmark = pytest.mark.django_db

RULE_URL = "/rules/switching/"


def reader(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def plain_readers(count: int) -> list[Person]:
    return list(Person.objects.filter(is_active=True, is_staff=False, groups=None, managed_units=None)[:count])


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def body_key(page: RulePage, person: Person, language: str) -> str:
    audiences = "-".join(sorted(Audience.of(person)))
    published = str(int(page.last_published_at.timestamp())) if page.last_published_at else ""
    return make_template_fragment_key("rule_body", [page.pk, page.live_revision_id, published, audiences, language])


@pytest.fixture
def sales(demo) -> Client:
    return reader(Person.objects.get(email="sales@example.jp"))


# --- where a URL leads --------------------------------------------------------------------


def test_a_moved_page_is_not_found_at_its_old_address(sales):
    assert sales.get(RULE_URL).status_code == 200
    page = RulePage.objects.get(slug="switching")
    page.slug = "switching-systems"
    page.save_revision().publish()
    assert sales.get(RULE_URL).status_code == 404
    assert sales.get("/rules/switching-systems/").status_code == 200


def test_a_page_saved_without_a_revision_is_shown_as_saved(sales):
    for _ in range(2):
        assert sales.get(RULE_URL).status_code == 200
    page = RulePage.objects.get(slug="switching")
    page.summary = "スクリプトで直した要約です。"
    page.save()
    assert "スクリプトで直した要約です。" in sales.get(RULE_URL).content.decode()


def test_an_unpublished_page_is_gone_for_the_next_reader(sales):
    assert sales.get(RULE_URL).status_code == 200
    RulePage.objects.get(slug="switching").unpublish()
    assert sales.get(RULE_URL).status_code == 404


def test_a_page_that_moves_away_leaves_its_address_to_a_new_page(sales):
    assert sales.get(RULE_URL).status_code == 200
    old = RulePage.objects.get(slug="switching")
    old.slug = "old-switching"
    old.save_revision().publish()
    index = RuleIndexPage.objects.get()
    newcomer = RulePage(title="新しい規程", slug="switching", summary="新しい要約", body=[])
    index.add_child(instance=newcomer)
    newcomer.save_revision().publish()
    assert "新しい規程" in sales.get(RULE_URL).content.decode()


def test_a_new_site_root_is_followed_at_once(sales):
    assert sales.get(RULE_URL).status_code == 200
    site = Site.objects.get(is_default_site=True)
    site.root_page = RuleIndexPage.objects.get()
    site.save()
    # The rules index is now the site root, so the rule lives at /switching/.
    assert sales.get("/switching/").status_code == 200
    assert sales.get(RULE_URL).status_code == 404


# --- view restrictions --------------------------------------------------------------------


@pytest.mark.parametrize("restricted", ["the page", "an ancestor"])
def test_view_restrictions_apply_to_a_page_read_before(sales, restricted):
    assert sales.get(RULE_URL).status_code == 200  # its body is cached now
    page = RulePage.objects.get(slug="switching") if restricted == "the page" else RuleIndexPage.objects.get()
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get_or_create(name="compliance_editors")[0])
    response = sales.get(RULE_URL)
    assert response.status_code == 404
    assert "スイッチング" not in response.content.decode()


def test_an_alias_follows_the_view_restrictions_of_its_source_and_its_ancestors(sales):
    # Wagtail's own check (Page.get_view_restrictions): an alias has none of its own.
    rule = RulePage.objects.get(slug="switching")
    alias = rule.create_alias(update_slug="switching-alias")
    alias_url = alias.get_url()
    assert sales.get(alias_url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=rule, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get_or_create(name="compliance_editors")[0])
    assert sales.get(alias_url).status_code == 404
    restriction.delete()
    on_index = PageViewRestriction.objects.create(
        page=RuleIndexPage.objects.get(), restriction_type=PageViewRestriction.GROUPS
    )
    on_index.groups.add(Group.objects.get(name="compliance_editors"))
    assert sales.get(alias_url).status_code == 404


# --- what each reader sees ----------------------------------------------------------------


def test_each_reader_gets_their_own_name_token_and_return_address(demo):
    first, second = plain_readers(2)
    one = reader(first).get(RULE_URL).content.decode()
    client = reader(second)
    two = client.get(RULE_URL + "?from=home").content.decode()
    assert first.get_full_name() in one and second.get_full_name() not in one
    assert second.get_full_name() in two and first.get_full_name() not in two
    assert 'name="next" value="/rules/switching/?from=home"' in two
    # The second reader's token is theirs: the language switch accepts it.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    answer = strict.post("/i18n/setlang/", {"language": "en", "next": RULE_URL, "csrfmiddlewaretoken": token(two)})
    assert answer.status_code == 302


def test_readers_of_other_departments_get_their_own_sections(demo):
    sales = Person.objects.get(email="sales@example.jp")
    cc = Person.objects.get(email="cc@example.jp")
    assert Audience.of(sales) != Audience.of(cc)
    sales_html = reader(sales).get(RULE_URL).content.decode()
    cc_html = reader(cc).get(RULE_URL).content.decode()
    assert 'id="for-you-heading"' in sales_html
    assert sales_html != cc_html.replace(cc.get_full_name(), sales.get_full_name())


def test_messages_reach_only_their_reader_once(demo, rf):
    first, second = plain_readers(2)
    reader(second).get(RULE_URL)
    client = reader(first)
    storage = CookieStorage(rf.get("/"))
    storage.add(constants.SUCCESS, "あなた宛てのお知らせ")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert client.get(RULE_URL).content.decode().count("あなた宛てのお知らせ") == 1
    assert "あなた宛てのお知らせ" not in client.get(RULE_URL).content.decode()
    assert "あなた宛てのお知らせ" not in reader(second).get(RULE_URL).content.decode()


def test_a_manager_sees_the_dashboard_link_and_a_plain_reader_does_not(demo):
    plain = plain_readers(1)[0]
    reader(plain).get(RULE_URL)
    manager = Person.objects.filter(is_active=True, groups=None).exclude(pk=plain.pk).first()
    Unit.objects.exclude(managers=manager).first().managers.add(manager)
    assert 'href="/reports/"' in reader(manager).get(RULE_URL).content.decode()
    assert 'href="/reports/"' not in reader(plain).get(RULE_URL).content.decode()


def test_the_language_switch_gives_the_other_language(sales):
    japanese = sales.get(RULE_URL).content.decode()
    assert '<html lang="ja">' in japanese and "What this means for you" not in japanese
    sales.post("/i18n/setlang/", {"language": "en", "next": RULE_URL})
    english = sales.get(RULE_URL).content.decode()
    assert '<html lang="en">' in english
    assert "What this means for you" in english
    sales.post("/i18n/setlang/", {"language": "ja", "next": RULE_URL})
    assert "What this means for you" not in sales.get(RULE_URL).content.decode()


# --- the rule body's cached fragment ------------------------------------------------------


def test_the_rule_body_is_kept_per_revision_departments_and_language(demo):
    person = Person.objects.get(email="sales@example.jp")
    page = RulePage.objects.get(slug="switching")
    assert cache.get(body_key(page, person, "ja")) is None
    reader(person).get(RULE_URL)
    assert "顧客情報を閲覧" in cache.get(body_key(page, person, "ja"))
    assert cache.get(body_key(page, Person.objects.get(email="cc@example.jp"), "ja")) is None
    assert cache.get(body_key(page, person, "en")) is None


def test_after_publishing_a_change_the_next_reader_sees_it(demo):
    first, second = plain_readers(2)
    reader(first).get(RULE_URL)  # the body is cached now
    page = RulePage.objects.get(slug="switching")
    body = list(page.body.raw_data)
    paragraph = next(block for block in body if block["type"] == "paragraph")
    paragraph["value"] = "<p>改訂された本文です。</p>"
    page.body = body
    page.summary = "改訂された要約です。"
    page.save_revision().publish()
    html = reader(second).get(RULE_URL).content.decode()
    assert "改訂された要約です。" in html
    assert "改訂された本文です。" in html


def test_a_deploy_never_reads_what_the_release_before_cached(demo, settings):
    person = Person.objects.get(email="sales@example.jp")
    page = RulePage.objects.get(slug="switching")
    reader(person).get(RULE_URL)
    cache.set(body_key(page, person, "ja"), "<p>前のリリースの断片</p>")
    assert "前のリリースの断片" in reader(person).get(RULE_URL).content.decode()  # the fragment is used
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "portal-next-release"}}
    assert "前のリリースの断片" not in reader(person).get(RULE_URL).content.decode()


def test_the_cache_key_prefix_names_the_release(base_settings_under):
    caches = base_settings_under(PORTAL_RELEASE="2026.12.04-4875282").CACHES
    assert caches["default"]["KEY_PREFIX"] == "portal-2026.12.04-4875282"
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("portal-")


# --- the home page's news ----------------------------------------------------------------


def test_the_home_pages_news_is_read_from_the_cache(sales):
    sales.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert sales.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "portal_newspage" in q["sql"]]


def test_news_published_or_withdrawn_after_the_home_page_was_read_shows_at_once(sales):
    assert "新しいお知らせです" not in sales.get("/").content.decode()
    item = NewsIndexPage.objects.get().add_child(instance=NewsPage(title="新しいお知らせです", slug="fresh", body=[]))
    item.save_revision().publish()
    assert "新しいお知らせです" in sales.get("/").content.decode()
    item.unpublish()
    assert "新しいお知らせです" not in sales.get("/").content.decode()


def test_a_qa_page_shows_its_answers_as_last_published_and_follows_the_pages_they_link(sales):
    from portal.models import QAItem, QAPage

    topic = QAPage.objects.live().first()
    rule = RulePage.objects.get(slug="switching")
    item = QAItem(page=topic, question="リンクのある質問", answer=f'<p><a linktype="page" id="{rule.pk}">規程</a></p>')
    topic.items.add(item)
    topic.save_revision().publish()
    assert 'href="/rules/switching/"' in sales.get(topic.url).content.decode()
    rule.slug = "switching-systems"
    rule.save_revision().publish()  # the linked page's address changes: the cached answers follow
    html = sales.get(topic.url).content.decode()
    assert 'href="/rules/switching-systems/"' in html
    topic = QAPage.objects.get(pk=topic.pk)
    topic.items.filter(question="リンクのある質問").delete()
    topic.save_revision().publish()
    assert "リンクのある質問" not in sales.get(topic.url).content.decode()
