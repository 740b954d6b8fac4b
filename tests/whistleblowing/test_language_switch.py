"""Issue 13: switching language on the receipt page or a follow-up page must not lose it.

The receipt is shown once and a follow-up page is reached by a POST, so neither can be fetched
again. The tests use the page's own language control as a browser would (follow the link, or
send the form) and expect the same receipt or report, now in English.
"""

import re
from html import unescape

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LANG_FORM = re.compile(r'<form class="lang-switch" method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
LANG_LINK = re.compile(r'<nav class="lang-switch"[^>]*>.*?<a href="([^"]+)"', re.S)


def _switch_to_english(client: Client, html: str):
    """Use the page's language control the way a browser does."""
    form = LANG_FORM.search(html)
    if form:
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
        return client.post(form.group(1), {**fields, "lang": "en"})
    link = LANG_LINK.search(html)
    assert link, html
    return client.get(unescape(link.group(1)), follow=True)


def _file_report(client: Client, what: str):
    token = client.get("/hotline/").context["form_token"]
    return client.post("/hotline/", {"form_token": token, "category": "conduct_rules", "what": what})


def test_the_receipt_survives_the_language_switch(handler):
    client = Client()
    receipt_page = _file_report(client, "language switch on the receipt")
    code = receipt_page.context["receipt"].code
    assert receipt_page.status_code == 200
    response = _switch_to_english(client, receipt_page.content.decode())
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-receipt="{code}"' in body
    assert "Your report has been sent" in body
    assert response.cookies["django_language"].value == "en"


def test_a_followup_page_survives_the_language_switch_after_a_reply(handler):
    client = Client()
    code = _file_report(client, "language switch after a reply").context["receipt"].code
    page = client.post("/hotline/followup/", {"code": code})
    token = page.context["token"]
    replied = client.post("/hotline/followup/case/", {"token": token, "action": "reply", "text": "追加の情報です。"})
    assert replied.status_code == 200
    response = _switch_to_english(client, replied.content.decode())
    assert response.status_code == 200
    body = response.content.decode()
    assert "language switch after a reply" in body and "追加の情報です。" in body
    assert "Your report" in body


def test_an_expired_or_forged_language_form_shows_the_code_form_again(handler):
    response = Client().post("/hotline/language/", {"token": "forged", "lang": "en"})
    assert response.status_code == 403
    assert 'name="code"' in response.content.decode()
    response = Client().post("/hotline/language/", {"receipt": "forged", "lang": "en"})
    assert response.status_code == 403
