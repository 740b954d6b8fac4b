"""In English mode, module titles and summaries (written in Japanese) carry lang="ja"."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_training_module_titles_and_summaries_are_marked_japanese(client, make_module, make_person, training_index):
    module = make_module("switching", everyone=True)
    client.force_login(make_person())
    client.cookies["django_language"] = "en"
    html = client.get(training_index.url).content.decode()
    assert '<html lang="en">' in html and '<h1 lang="ja">' in html
    assert re.search(r'<h2 lang="ja"><a href="[^"]+">', html)
    html = client.get(module.url).content.decode()
    assert '<h1 lang="ja">' in html
    assert '<p class="lead" lang="ja">' in html


def test_lesson_titles_are_marked_japanese(client, make_module, make_person):
    module = make_module("switching", everyone=True)
    client.force_login(make_person())
    client.cookies["django_language"] = "en"
    html = client.get(module.url).content.decode()
    assert re.search(r'<a href="[^"]+lessons/[^"]+/" lang="ja">', html)
