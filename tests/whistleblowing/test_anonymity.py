"""Acceptance 8 and the anonymity middleware: headers, no persistent cookie, nothing identifying kept."""

import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from whistleblowing.middleware import HotlineAnonymityMiddleware


def _assert_hotline_headers(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    # No other origin anywhere: no scheme, no host, no wildcard.
    assert not re.search(r"https?:|//|\*|data:|blob:", csp), csp


def _assert_no_persistent_cookie(response):
    for name, morsel in response.cookies.items():
        assert not morsel["max-age"] and not morsel["expires"], f"{name} is persistent"
        assert name == "django_language"


def test_public_pages_carry_the_headers_and_set_no_cookie(handler, file_report):
    client = Client()
    get = client.get("/hotline/")
    _assert_hotline_headers(get)
    _assert_no_persistent_cookie(get)
    assert not get.cookies
    post = client.post(
        "/hotline/",
        {"form_token": get.context["form_token"], "category": "other", "what": "headers test"},
    )
    assert "receipt" in post.context
    _assert_hotline_headers(post)
    assert not post.cookies
    followup = client.post("/hotline/followup/", {"code": post.context["receipt"].code})
    _assert_hotline_headers(followup)
    assert not followup.cookies
    reply = client.post("/hotline/followup/case/", {"token": followup.context["token"], "action": "reply", "text": "x"})
    _assert_hotline_headers(reply)
    assert not reply.cookies
    for url in ("/hotline/followup/",):
        response = client.get(url)
        _assert_hotline_headers(response)
        assert not response.cookies


def test_the_pages_load_nothing_from_other_sites(handler):
    html = Client().get("/hotline/").content.decode()
    for attribute in re.findall(r'(?:src|href|action)="([^"]+)"', html):
        assert not re.match(r"(https?:)?//", attribute), attribute
    assert "<script" not in html and "style=" not in html


def test_language_switch_sets_only_a_session_cookie():
    response = Client().get("/hotline/language/?lang=en&next=/hotline/followup/")
    assert response.status_code == 302 and response["Location"] == "/hotline/followup/"
    _assert_hotline_headers(response)
    morsel = response.cookies["django_language"]
    assert morsel.value == "en" and not morsel["max-age"] and not morsel["expires"]
    assert not morsel["secure"]  # plain HTTP in tests; production sets LANGUAGE_COOKIE_SECURE
    # An outside address is never a redirect target.
    assert Client().get("/hotline/language/?lang=en&next=https://evil.example/")["Location"] == "/hotline/"


def test_language_cookie_is_secure_where_the_portal_is(settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    morsel = Client().get("/hotline/language/?lang=en&next=/hotline/").cookies["django_language"]
    assert morsel["secure"] is True


def test_intake_works_in_japanese_and_english(handler):
    japanese = Client().get("/hotline/").content.decode()
    assert '<html lang="ja"' in japanese
    assert "何が起きましたか" in japanese and "受付番号で状況を確認できます" in japanese
    # Our labels carry the "hotline" context, so other apps' "Conduct rules" (ルール) cannot override them.
    assert "行為規制" in japanese
    english = Client()
    english.cookies["django_language"] = "en"
    body = english.get("/hotline/").content.decode()
    assert '<html lang="en"' in body
    assert "Report a concern" in body and "What happened?" in body


def test_a_logged_in_employee_is_anonymous_on_the_hotline(handler, make_person):
    employee = make_person(email="employee@example.jp")
    client = Client()
    client.force_login(employee)
    client.cookies["csrftoken"] = "x" * 32
    response = client.get("/hotline/")
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "employee@example.jp" not in response.content.decode()
    assert not response.cookies  # the session and CSRF cookies are neither read nor renewed


def test_handler_pages_carry_the_headers_too(handler, handler_client):
    response = handler_client(handler).get("/hotline/cases/")
    assert response.status_code == 200
    # Same-origin referrers only: browsers send "Origin: null" under no-referrer, which
    # Django's CSRF origin check refuses on the handlers' (session-based) forms.
    assert response["Referrer-Policy"] == "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    _assert_hotline_headers(response)


@pytest.mark.parametrize(
    ("path", "blanked"),
    [
        ("/hotline", True),
        ("/hotline/", True),
        ("/hotline/followup/", True),
        ("/hotline/cases/", False),
        ("/hotlines/", False),
        ("/rules/", False),
    ],
)
def test_middleware_blanks_identifying_request_data_before_anything_else(path, blanked):
    seen = {}

    def view(request):
        seen.update(
            {
                key: request.META.get(key)
                for key in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_USER_AGENT", "HTTP_REFERER")
            }
        )
        seen["cookies"] = dict(request.COOKIES)
        return HttpResponse("ok")

    request = RequestFactory().get(
        path,
        REMOTE_ADDR="192.0.2.55",
        HTTP_X_FORWARDED_FOR="192.0.2.56",
        HTTP_USER_AGENT="UniqueAgent/1.0",
        HTTP_REFERER="https://intranet.example/people/me",
        HTTP_COOKIE="sessionid=abc; csrftoken=def; django_language=en",
    )
    HotlineAnonymityMiddleware(view)(request)
    if blanked:
        assert seen == {
            "REMOTE_ADDR": "",
            "HTTP_X_FORWARDED_FOR": "",
            "HTTP_USER_AGENT": "",
            "HTTP_REFERER": "",
            "cookies": {"django_language": "en"},
        }
    else:
        assert seen["REMOTE_ADDR"] == "192.0.2.55" and seen["HTTP_USER_AGENT"] == "UniqueAgent/1.0"


def test_error_reports_for_hotline_requests_carry_no_client_data():
    """A crash in a hotline view is logged (and could be mailed) without the reporter's address or browser."""
    import logging

    from django.core.handlers.exception import convert_exception_to_response
    from django.views.debug import ExceptionReporter

    def broken_view(request):
        raise RuntimeError("hotline view failed")

    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    collector = Collect(level=logging.ERROR)
    logger = logging.getLogger("django.request")
    logger.addHandler(collector)
    try:
        request = RequestFactory().post(
            "/hotline/",
            {"what": "x"},
            REMOTE_ADDR="192.0.2.99",
            HTTP_X_FORWARDED_FOR="192.0.2.98",
            HTTP_USER_AGENT="CrashAgent/7.7",
            HTTP_REFERER="https://intranet.example/me",
        )
        response = HotlineAnonymityMiddleware(convert_exception_to_response(broken_view))(request)
    finally:
        logger.removeHandler(collector)
    assert response.status_code == 500
    assert len(records) == 1
    record = records[0]
    report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    # The report is real (where it failed), but the exception's own message is withheld for the
    # hotline: it could quote the report (portal/log_filters.py).
    assert "broken_view" in report
    assert "Exception Value: RuntimeError (message withheld: hotline request)" in report
    for client_data in ("192.0.2.99", "192.0.2.98", "CrashAgent", "intranet.example"):
        assert client_data not in report
        assert client_data not in record.getMessage()


def test_client_headers_are_kept_by_allow_list_not_by_a_list_of_known_ones():
    """Issue 14 item 6: X-Originating-IP, X-Authenticated-User, X-Forwarded-User and any header
    nobody thought of are blanked on public hotline paths; only the allow-listed ones pass."""
    seen = {}

    def view(request):
        seen.update({key: value for key, value in request.META.items() if key.startswith("HTTP_") and value})
        return HttpResponse("ok")

    headers = {
        "HTTP_X_ORIGINATING_IP": "192.0.2.77",
        "HTTP_X_AUTHENTICATED_USER": "yamada@example.jp",
        "HTTP_X_FORWARDED_USER": "yamada",
        "HTTP_FORWARDED": "for=192.0.2.78",
        "HTTP_TRUE_CLIENT_IP": "192.0.2.79",
        "HTTP_X_SOME_PROXY_INVENTED_THIS_YEAR": "employee-4711",
        "HTTP_ACCEPT_LANGUAGE": "ja",
        "HTTP_ACCEPT": "text/html",
    }
    for path, public in (("/hotline/", True), ("/hotline/followup/", True), ("/hotline/cases/", False)):
        seen.clear()
        HotlineAnonymityMiddleware(view)(RequestFactory().get(path, **headers))
        if public:
            assert set(seen) - {"HTTP_COOKIE"} == {"HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT"}, (path, seen)
        else:
            assert seen["HTTP_X_SOME_PROXY_INVENTED_THIS_YEAR"] == "employee-4711"


def test_times_the_reporter_causes_are_stored_to_the_hour_only(handler, file_report):
    """Threat model, "Stored times date a report to the second": receipt and case keys to the hour."""
    from whistleblowing.models import CaseKey

    case, _receipt = file_report(what="HOUR-ONLY")
    stamps = [case.received_at, *CaseKey.objects.filter(case=case).values_list("created_at", flat=True)]
    assert stamps and all((t.minute, t.second, t.microsecond) == (0, 0, 0) for t in stamps), stamps
