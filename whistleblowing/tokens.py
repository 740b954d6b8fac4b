"""Signed form tokens for the public hotline pages, which have no session and no CSRF cookie.

CSRF attacks ride on ambient credentials (cookies) that the browser attaches on its own. The
public hotline pages carry none: the middleware strips every cookie but the language. The
intake token only proves the form came from us recently and is single-use (so a refresh does
not file a report twice); the follow-up token is itself the reporter's credential (it holds
the report key, encrypted), so a page on another site cannot forge it. Both are signed with
django.core.signing and expire.
"""

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing

from . import crypto

INTAKE_SALT = "whistleblowing.intake"
FOLLOWUP_SALT = "whistleblowing.followup"
# Also the longest HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS may be: used tokens are remembered this
# long (reporter.INTAKE_NONCE_KEEP_SECONDS), so an older one could be sent twice.
INTAKE_MAX_AGE = 4 * 60 * 60
FOLLOWUP_MAX_AGE = 30 * 60


def _token_key() -> bytes:
    # A box key for follow-up tokens derived from SECRET_KEY. The tokens never rest on the
    # server, so SECRET_KEY with the database still opens nothing.
    return hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=b"hotline-token").digest()


def intake_token() -> str:
    return signing.dumps({"n": secrets.token_hex(16)}, salt=INTAKE_SALT)


def intake_token_max_age() -> int:
    return min(int(getattr(settings, "HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS", INTAKE_MAX_AGE)), INTAKE_MAX_AGE)


def intake_token_min_age() -> int:
    """A form sent sooner than this after it was served was not filled in by a person."""
    return int(getattr(settings, "HOTLINE_INTAKE_MIN_SECONDS", 10))


def intake_token_open(token: str) -> tuple[str, float] | None:
    """The token's nonce and its age in seconds; None when forged or older than the maximum age."""
    try:
        nonce = signing.loads(token, salt=INTAKE_SALT, max_age=intake_token_max_age())["n"]
        # Signed tokens end in ":<base62 timestamp>:<signature>"; the signature was just checked.
        issued = signing.b62_decode(token.rsplit(":", 2)[-2])
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        return None
    return nonce, time.time() - issued


def followup_token(*, case_public_id, report_key: bytes) -> str:
    return signing.dumps(
        {"c": str(case_public_id), "k": crypto.b64(crypto.encrypt(_token_key(), report_key))},
        salt=FOLLOWUP_SALT,
        compress=True,
    )


def followup_token_open(token: str) -> tuple[str, bytes] | None:
    try:
        data = signing.loads(token, salt=FOLLOWUP_SALT, max_age=FOLLOWUP_MAX_AGE)
        return data["c"], crypto.decrypt(_token_key(), crypto.unb64(data["k"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, crypto.DecryptionError):
        return None


# The receipt page's language switch re-shows the receipt in the other language: the page cannot
# be fetched again (the code is shown once and stored nowhere), so its form carries the code,
# encrypted like the follow-up token's report key, for as long as a follow-up page lives.
RECEIPT_SALT = "whistleblowing.receipt-language"


def receipt_token(*, code: str) -> str:
    return signing.dumps({"r": crypto.b64(crypto.encrypt(_token_key(), code.encode()))}, salt=RECEIPT_SALT)


def receipt_token_open(token: str) -> crypto.Receipt | None:
    try:
        data = signing.loads(token, salt=RECEIPT_SALT, max_age=FOLLOWUP_MAX_AGE)
        return crypto.parse_receipt(crypto.decrypt(_token_key(), crypto.unb64(data["r"])).decode())
    except (signing.BadSignature, KeyError, TypeError, ValueError, crypto.DecryptionError):
        return None
