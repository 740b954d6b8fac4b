"""Acceptance 4: receipt codes, their stored form and the IP-independent throttle."""

import datetime
import math
from collections import Counter

import pytest
import time_machine
from django.test import Client

from whistleblowing import crypto, reporter
from whistleblowing.models import Case, FollowupThrottle


def test_ten_thousand_codes_are_distinct_and_carry_at_least_80_bits():
    codes = [crypto.generate_receipt().code for _ in range(10_000)]
    assert len(set(codes)) == 10_000
    assert all(len(code) == crypto.RECEIPT_LENGTH and set(code) <= set(crypto.RECEIPT_ALPHABET) for code in codes)
    assert len(set(crypto.RECEIPT_ALPHABET)) == 32
    bits_per_char = math.log2(len(crypto.RECEIPT_ALPHABET))
    assert crypto.RECEIPT_LENGTH * bits_per_char >= 100
    # Even someone who has the database (and so the lookup parts) faces 80 bits.
    assert crypto.RECEIPT_SECRET_LENGTH * bits_per_char >= 80
    # Every position draws from the whole alphabet, evenly: 10,000 draws of 32 letters give
    # about 312 each; a fixed or badly biased position would show up here.
    for position in range(crypto.RECEIPT_LENGTH):
        counts = Counter(code[position] for code in codes)
        assert len(counts) == 32
        assert min(counts.values()) > 200 and max(counts.values()) < 430


def test_receipt_is_shown_in_groups_of_four_and_parsed_leniently():
    receipt = crypto.generate_receipt()
    assert receipt.groups == [receipt.code[i : i + 4] for i in range(0, 20, 4)]
    assert crypto.parse_receipt(receipt.display.lower()) == receipt
    assert crypto.parse_receipt(" ".join(receipt.groups)) == receipt
    assert crypto.parse_receipt(receipt.code[:-1]) is None
    assert crypto.parse_receipt(receipt.code[:-1] + "0") is None  # 0 is not in the alphabet


def test_only_the_lookup_part_and_an_argon2id_hash_are_stored(handler, file_report):
    case, receipt = file_report()
    case.refresh_from_db()
    assert case.lookup == receipt.lookup
    assert case.secret_hash.startswith("$argon2id$")
    assert receipt.secret not in case.secret_hash
    for field in Case._meta.concrete_fields:
        value = getattr(case, field.attname)
        if isinstance(value, (bytes, memoryview)):
            value = bytes(value)
            assert receipt.secret.encode() not in value and receipt.code.encode() not in value
        elif isinstance(value, str):
            assert receipt.secret not in value and receipt.code not in value


def _post_code(code, ip, agent):
    return Client(REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=ip, HTTP_USER_AGENT=agent).post(
        "/hotline/followup/", {"code": code}
    )


def test_wrong_codes_delay_the_next_attempt_whatever_the_client_address(settings, handler, file_report):
    settings.HOTLINE_THROTTLE_FREE_FAILURES = 3
    case, receipt = file_report(what="throttle test")
    wrong = crypto.generate_receipt().display
    start = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for n in range(3):
            response = _post_code(wrong, f"198.51.100.{n}", f"agent-{n}")
            assert response.status_code == 200 and "throttle test" not in response.content.decode()
        # The right code from a different address and browser is not even checked now.
        response = _post_code(receipt.display, "203.0.113.77", "another-browser")
        body = response.content.decode()
        assert "throttle test" not in body
        assert "wait" in body.lower() or "お待ち" in body
    assert FollowupThrottle.objects.get().failures == 3
    with time_machine.travel(start + datetime.timedelta(seconds=2), tick=False):
        response = _post_code(receipt.display, "203.0.113.77", "another-browser")
        assert "throttle test" in response.content.decode()


@pytest.mark.django_db
def test_the_delay_grows_with_failures_and_is_capped(settings):
    settings.HOTLINE_THROTTLE_FREE_FAILURES = 2
    settings.HOTLINE_THROTTLE_MAX_DELAY_SECONDS = 16
    now = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    delays = []
    for _ in range(8):
        with time_machine.travel(now, tick=False):
            reporter._record_failure()
            delays.append(reporter.followup_delay_remaining(now=now))
    assert delays == [0, 1, 2, 4, 8, 16, 16, 16]
    # The counter forgets after an hour without failures.
    later = now + datetime.timedelta(hours=1, seconds=1)
    assert reporter.followup_delay_remaining(now=later) == 0


def test_wrong_lookup_and_wrong_secret_answer_alike(handler, file_report, monkeypatch):
    case, receipt = file_report()
    calls = []
    real_verify = crypto.verify_receipt_secret

    def counting_verify(stored, secret):
        calls.append(stored)
        return real_verify(stored, secret)

    monkeypatch.setattr(crypto, "verify_receipt_secret", counting_verify)
    other = crypto.generate_receipt()
    unknown_lookup = ("ZZZZ" if receipt.lookup != "ZZZZ" else "YYYY") + receipt.secret
    wrong_secret = receipt.lookup + other.secret
    first = Client().post("/hotline/followup/", {"code": unknown_lookup})
    second = Client().post("/hotline/followup/", {"code": wrong_secret})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    # One Argon2id verification each: a dummy hash for the unknown lookup, the real one otherwise.
    assert len(calls) == 2
    assert calls[0] == crypto.dummy_receipt_hash() and calls[1] == case.secret_hash


def test_malformed_code_is_rejected_like_any_other(handler, file_report):
    file_report()
    response = Client().post("/hotline/followup/", {"code": "not a code"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert FollowupThrottle.objects.get().failures == 1


@pytest.mark.parametrize("separator", ["-", " ", ""])
def test_reporter_opens_the_case_with_the_code_in_any_spacing(handler, file_report, separator):
    case, receipt = file_report(what="spacing works")
    response = Client().post("/hotline/followup/", {"code": separator.join(receipt.groups).lower()})
    assert "spacing works" in response.content.decode()


def test_a_correct_receipt_waits_only_briefly_for_others_mistakes_and_resets_the_counter(handler, file_report):
    """Issue 14 item 14 (throttle): by default the wait is at most 10 s, it is explained, and a
    correct code clears the counter so the next reporter does not inherit the delay."""
    case, receipt = file_report(what="reset test")
    wrong = crypto.generate_receipt().display
    first = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    for n in range(12):  # spaced out, so that each wrong code is checked and counted
        with time_machine.travel(first + datetime.timedelta(seconds=15 * n), tick=False):
            _post_code(wrong, f"198.51.100.{n}", "agent")
    assert FollowupThrottle.objects.get().failures == 12
    start = first + datetime.timedelta(seconds=15 * 11)
    with time_machine.travel(start, tick=False):
        assert reporter.followup_delay_remaining() == 10
        client = Client()
        client.cookies["django_language"] = "en"
        page = client.post("/hotline/followup/", {"code": receipt.display}).content.decode()
        assert "reset test" not in page
        assert "not necessarily by you" in page and "10 seconds" in page
    with time_machine.travel(start + datetime.timedelta(seconds=10), tick=False):
        assert "reset test" in _post_code(receipt.display, "203.0.113.1", "b").content.decode()
        assert FollowupThrottle.objects.get().failures == 0
        assert reporter.followup_delay_remaining() == 0
        assert "reset test" in _post_code(receipt.display, "203.0.113.2", "c").content.decode()
