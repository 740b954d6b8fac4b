"""One date style per language: 4 Dec 2026 in English, 2026年12月4日 in Japanese, whichever
format name a template asks for."""

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format

from people.models import Person

DAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize("name", ["DATE_FORMAT", "SHORT_DATE_FORMAT"])
@pytest.mark.parametrize(("language", "expected"), [("en", "4 Dec 2026"), ("ja", "2026年12月4日")])
def test_dates_have_one_style_per_language(name, language, expected):
    with translation.override(language):
        assert date_format(DAY, name) == expected


@pytest.mark.parametrize(("language", "expected"), [("en", "4 Dec 2026 09:30"), ("ja", "2026年12月4日 09:30")])
def test_date_and_time_follow_the_same_style(language, expected):
    moment = dt.datetime(2026, 12, 4, 9, 30)
    with translation.override(language):
        assert date_format(moment, "DATETIME_FORMAT") == expected
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == expected


@pytest.mark.django_db
def test_the_english_home_page_writes_every_date_in_the_english_style(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    assert shown
    for text in shown:
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", text), text
