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


def test_japanese_data_inside_an_english_sentence_is_marked(english_reader):
    html = english_reader.get("/rules/confidential-information/").content.decode()
    assert re.search(r'Legal basis: <span lang="ja">電気事業法', html)
    home = english_reader.get("/").content.decode()
    assert re.search(r'<h1>Hello, <span lang="ja">[^<]+</span></h1>', home)


def test_the_ja_filter_marks_only_text_in_japanese_and_escapes_it():
    from django.template import Context, Template
    from django.utils import translation

    def render(value, filter_name="ja", language="en"):
        with translation.override(language):
            return Template("{% load content_lang %}{{ v|" + filter_name + " }}").render(Context({"v": value}))

    assert render("八戸営業所") == '<span lang="ja">八戸営業所</span>'
    assert render("ｽｲｯﾁﾝｸﾞ") == '<span lang="ja">ｽｲｯﾁﾝｸﾞ</span>'
    assert render("Written in English") == "Written in English"
    assert render("<b>閲覧</b>") == '<span lang="ja">&lt;b&gt;閲覧&lt;/b&gt;</span>'
    assert render("") == "" and render(None) == ""
    assert render("段落", "ja_block") == '<div lang="ja">段落</div>'
    # Inside a Japanese page the whole page is Japanese already: escaped, not wrapped.
    assert render("<b>閲覧</b>", language="ja") == "&lt;b&gt;閲覧&lt;/b&gt;"
