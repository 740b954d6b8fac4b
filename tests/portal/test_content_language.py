"""In English mode the interface is English, and the Japanese content of Wagtail pages says so
(lang="ja"), so screen readers and browsers read and break it as Japanese."""

import re

import pytest

from people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_reader(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("url", ["/rules/switching/", "/rules/", "/qa/"])
def test_page_titles_and_texts_are_marked_japanese_inside_an_english_page(english_reader, url):
    html = english_reader.get(url).content.decode()
    assert '<html lang="en">' in html
    assert re.search(r'<h1 lang="ja">', html), url
    assert 'class="site-nav"' in html and '<nav class="site-nav" aria-label="Main">' in html


def test_a_rule_pages_summary_and_body_are_marked_japanese(english_reader):
    html = english_reader.get("/rules/switching/").content.decode()
    assert '<p class="lead" lang="ja">' in html
    assert '<div class="prose" lang="ja">' in html


def test_the_home_pages_news_titles_are_marked_japanese(english_reader):
    html = english_reader.get("/").content.decode()
    news = re.search(r'<ul class="news-list">.*?</ul>', html, re.S).group(0)
    assert re.findall(r'<a href="[^"]+" lang="ja">', news)


def test_the_readers_name_in_the_header_is_marked_japanese(english_reader):
    html = english_reader.get("/rules/").content.decode()
    name = Person.objects.get(email="sales@example.jp").get_full_name()
    assert f'<span class="user-name" lang="ja">{name}</span>' in html
