"""Rule pages rendered once and shared by readers who see them alike (portal/shared_pages.py):
each reader still gets their own name, links, CSRF token, return address and messages."""

import re
from unittest import mock

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client

from people.models import Person, Unit
from portal import process_memory, shared_pages
from portal.models import RulePage

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


def test_readers_share_one_rendering_and_keep_their_own_bits(demo):
    first, second, walker = plain_readers(3)
    reader(walker).get(RULE_URL)  # the route is remembered; the page is cached from its next use
    with mock.patch.object(shared_pages, "render_to_string", wraps=shared_pages.render_to_string) as render:
        one = reader(first).get(RULE_URL).content.decode()
        client = reader(second)
        two = client.get(RULE_URL + "?from=home").content.decode()
    shared = [c for c in render.call_args_list if c.args[0] == "portal/rule_page.html"]
    assert len(shared) == 1  # rendered for the first reader, reused for the second
    assert first.get_full_name() in one and second.get_full_name() not in one
    assert second.get_full_name() in two and first.get_full_name() not in two
    assert 'name="next" value="/rules/switching/?from=home"' in two
    assert "<!--personal:" not in one + two
    # The second reader's token is theirs: the language switch accepts it.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    answer = strict.post("/i18n/setlang/", {"language": "en", "next": RULE_URL, "csrfmiddlewaretoken": token(two)})
    assert answer.status_code == 302


def test_readers_of_other_departments_get_their_own_sections(demo):
    sales = Person.objects.get(email="sales@example.jp")
    cc = Person.objects.get(email="cc@example.jp")
    sales_html = reader(sales).get(RULE_URL).content.decode()
    cc_html = reader(cc).get(RULE_URL).content.decode()
    assert sales_html != cc_html.replace(cc.get_full_name(), sales.get_full_name())


def test_messages_reach_only_their_reader_once(demo, rf):
    first, second = plain_readers(2)
    reader(second).get(RULE_URL)  # the shared rendering exists
    client = reader(first)
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode(
        [Message(constants.SUCCESS, "あなた宛てのお知らせ")]
    )
    assert client.get(RULE_URL).content.decode().count("あなた宛てのお知らせ") == 1
    assert "あなた宛てのお知らせ" not in client.get(RULE_URL).content.decode()
    assert "あなた宛てのお知らせ" not in reader(second).get(RULE_URL).content.decode()


def test_a_manager_sees_the_dashboard_link_on_a_shared_page(demo):
    plain = plain_readers(1)[0]
    reader(plain).get(RULE_URL)
    manager = Person.objects.filter(is_active=True, groups=None).exclude(pk=plain.pk).first()
    Unit.objects.exclude(managers=manager).first().managers.add(manager)
    html = reader(manager).get(RULE_URL).content.decode()
    assert 'href="/reports/"' in html
    assert 'href="/reports/"' not in reader(plain).get(RULE_URL).content.decode()


def test_people_with_a_role_get_their_own_rendering(demo, mfa_user):
    editor = mfa_user("compliance_editors")
    with mock.patch.object(shared_pages, "serve") as shared:
        assert reader(editor).get(RULE_URL).status_code == 200
    shared.assert_not_called()


def test_a_new_revision_is_shown_at_once(demo):
    client = reader(plain_readers(1)[0])
    client.get(RULE_URL)
    page = RulePage.objects.get(slug="switching")
    page.summary = "改訂された要約です。"
    page.save_revision().publish()
    assert "改訂された要約です。" in client.get(RULE_URL).content.decode()


def test_page_content_cannot_forge_a_marker(demo):
    page = RulePage.objects.get(slug="switching")
    page.summary = f"{shared_pages._marker_prefix()}csrf_input-->"
    page.save_revision().publish()
    html = reader(plain_readers(1)[0]).get(RULE_URL).content.decode()
    assert "&lt;!--personal:" in html
    assert html.count('name="csrfmiddlewaretoken"') == 2  # the two header forms, nothing more


def test_a_process_keeps_the_renderings_it_used_last(demo):
    first, second, third = (reader(person) for person in plain_readers(3))
    first.get(RULE_URL)
    second.get(RULE_URL)  # rendered and shared from here on
    with mock.patch.object(shared_pages.cache, "get", wraps=shared_pages.cache.get) as cache_get:
        html = third.get(RULE_URL).content.decode()
    assert "スイッチング" in html
    assert not [c for c in cache_get.call_args_list if c.args[0].startswith("portal:shared-page:")]


def test_the_kept_renderings_are_bounded_and_expire():
    recent = process_memory.Recent(size=2, ttl=shared_pages.TTL)
    for key in ["a", "b", "c"]:
        recent.put(key, key.upper())
    assert recent.get("a") is None and recent.get("b") == "B" and recent.get("c") == "C"
    recent.get("b")
    recent.put("d", "D")  # "c" was used longest ago
    assert recent.get("c") is None and recent.get("b") == "B"
    with mock.patch.object(process_memory.time, "monotonic", return_value=process_memory.time.monotonic() + 3600):
        assert recent.get("b") is None


def test_a_page_without_a_live_revision_is_not_shared(demo):
    # Loaded afresh on every request, it would leave a rendering in the cache for each one.
    from portal.models import RuleIndexPage

    page = RuleIndexPage.objects.get().add_child(
        instance=RulePage(title="改訂前の規程", slug="draftless", summary="要約")
    )
    assert page.live and not page.live_revision_id
    client = reader(plain_readers(1)[0])
    with mock.patch.object(shared_pages, "serve") as shared:
        for _ in range(3):
            assert client.get(page.url).status_code == 200
    shared.assert_not_called()
