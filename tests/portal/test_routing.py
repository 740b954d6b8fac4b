"""Remembered routes and sites (portal/routing.py), one-query view restrictions
(portal/restrictions.py): fewer queries, never a different answer."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from people.models import Person
from portal.models import RuleIndexPage, RulePage

pytestmark = pytest.mark.django_db

RULE_URL = "/rules/switching/"


@pytest.fixture
def reader(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    return client


def _without_csrf(response) -> str:
    # The CSRF token is masked afresh on every response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def test_a_remembered_route_saves_the_tree_walk(reader):
    first_status, first = _queries(reader, RULE_URL)
    second_status, second = _queries(reader, RULE_URL)
    assert first_status == second_status == 200
    # Site lookup, root page and two levels of walking (two queries each) are replaced by one check.
    assert second <= first - 4
    assert _without_csrf(reader.get(RULE_URL)) == _without_csrf(reader.get(RULE_URL))


def test_a_moved_page_is_not_found_at_its_remembered_address(reader):
    assert reader.get(RULE_URL).status_code == 200
    page = RulePage.objects.get(slug="switching")
    page.slug = "switching-systems"
    page.save_revision().publish()
    assert reader.get(RULE_URL).status_code == 404
    assert reader.get("/rules/switching-systems/").status_code == 200


def test_a_page_saved_without_a_revision_is_shown_as_saved(reader):
    for _ in range(3):  # walked, cached, then served from the cached copy
        assert reader.get(RULE_URL).status_code == 200
    page = RulePage.objects.get(slug="switching")
    page.summary = "スクリプトで直した要約です。"
    page.save()
    assert "スクリプトで直した要約です。" in reader.get(RULE_URL).content.decode()


def test_an_unpublished_page_is_gone_even_when_remembered(reader):
    assert reader.get(RULE_URL).status_code == 200
    RulePage.objects.get(slug="switching").unpublish()
    assert reader.get(RULE_URL).status_code == 404


def test_a_page_that_moves_away_leaves_its_address_to_a_new_page(reader):
    assert reader.get(RULE_URL).status_code == 200
    old = RulePage.objects.get(slug="switching")
    old.slug = "old-switching"
    old.save_revision().publish()
    index = RuleIndexPage.objects.get()
    newcomer = RulePage(title="新しい規程", slug="switching", summary="新しい要約", body=[])
    index.add_child(instance=newcomer)
    newcomer.save_revision().publish()
    html = reader.get(RULE_URL).content.decode()
    assert "新しい規程" in html


@pytest.mark.parametrize("restricted", ["the page", "an ancestor"])
def test_a_remembered_route_still_checks_view_restrictions(reader, restricted):
    page = RulePage.objects.get(slug="switching")
    assert reader.get(RULE_URL).status_code == 200  # remembered now
    if restricted == "an ancestor":
        page = RuleIndexPage.objects.get()
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get_or_create(name="compliance_editors")[0])
    response = reader.get(RULE_URL)
    assert response.status_code != 200
    assert "スイッチング" not in response.content.decode()


def test_view_restrictions_in_one_query_match_wagtails(demo):
    rules = RuleIndexPage.objects.get()
    rule = RulePage.objects.get(slug="switching")
    editors = Group.objects.get_or_create(name="compliance_editors")[0]
    on_index = PageViewRestriction.objects.create(page=rules, restriction_type=PageViewRestriction.GROUPS)
    on_index.groups.add(editors)
    on_rule = PageViewRestriction.objects.create(page=rule, restriction_type=PageViewRestriction.LOGIN)
    alias = rule.create_alias(update_slug="switching-alias")
    other = RulePage.objects.exclude(pk=rule.pk).first()
    for page in [rule, rules, alias.specific, other, Page.objects.get(depth=1)]:
        ours = set(page.get_view_restrictions())
        wagtails = set(Page.get_view_restrictions(page))
        assert ours == wagtails, page
    assert set(rule.get_view_restrictions()) == {on_index, on_rule}
    assert set(alias.specific.get_view_restrictions()) == {on_index, on_rule}
    with CaptureQueriesContext(connection) as ctx:
        list(rule.get_view_restrictions())
    assert len(ctx.captured_queries) == 1


def test_a_renamed_site_is_forgotten(reader):
    from wagtail.models import Site

    assert reader.get(RULE_URL).status_code == 200
    site = Site.objects.get(is_default_site=True)
    other_root = RuleIndexPage.objects.get()
    site.root_page = other_root
    site.save()
    # The rules index is now the site root, so the rule lives at /switching/.
    assert reader.get("/switching/").status_code == 200
    assert reader.get(RULE_URL).status_code == 404


def test_a_process_reads_a_route_it_used_a_moment_ago_from_memory(reader):
    from unittest import mock

    from portal import process_memory, routing

    for _ in range(3):  # walked, cached, then served from the cached copy
        assert reader.get(RULE_URL).status_code == 200
    with mock.patch.object(routing.cache, "get", wraps=routing.cache.get) as cache_get:
        assert reader.get(RULE_URL).status_code == 200
        assert not [c for c in cache_get.call_args_list if c.args[0].startswith("portal:route:")]
        later = process_memory.time.monotonic() + routing.MEMO_TTL + 1
        with mock.patch.object(process_memory.time, "monotonic", return_value=later):
            assert reader.get(RULE_URL).status_code == 200
        assert [c for c in cache_get.call_args_list if c.args[0].startswith("portal:route:")]


def test_each_request_gets_its_own_copy_of_a_remembered_page(reader):
    from portal import routing

    for _ in range(3):
        reader.get(RULE_URL)
    site, root_url_path = routing.site_for(reader.get(RULE_URL).wsgi_request)
    first = routing.remembered(site, root_url_path, ["rules", "switching"]).page
    second = routing.remembered(site, root_url_path, ["rules", "switching"]).page
    assert first.pk == second.pk and first is not second
    assert first.cache_stamp == second.cache_stamp
