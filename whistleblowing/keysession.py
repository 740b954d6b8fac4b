"""The handler's unlocked private key, held for the login session without ever resting in clear.

The private key is encrypted with a random per-unlock key. The ciphertext goes into the
server-side session; the random key goes into a cookie of our own (HttpOnly, SameSite=Strict,
Secure over HTTPS, no expiry so it dies with the browser session, path /hotline/cases/). The
session store alone (database or Redis) and the cookie alone are each useless; logging out
flushes the session and with it the ciphertext.
"""

import time

from django.conf import settings

from . import crypto

SESSION_KEY = "whistleblowing.unlocked"
COOKIE_NAME = "hotline_unlock"
COOKIE_PATH = "/hotline/cases/"


def unlock_max_age() -> int:
    return int(getattr(settings, "HOTLINE_UNLOCK_MAX_AGE_SECONDS", 8 * 60 * 60))


def store(request, response, private_key: bytes) -> None:
    session_key = crypto.new_key()
    request.session[SESSION_KEY] = {
        "person": request.user.pk,
        "box": crypto.b64(crypto.encrypt(session_key, private_key)),
        "at": int(time.time()),
    }
    response.set_cookie(
        COOKIE_NAME,
        crypto.b64(session_key),
        max_age=None,
        path=COOKIE_PATH,
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def load(request) -> bytes | None:
    data = request.session.get(SESSION_KEY)
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not data or not cookie or data.get("person") != request.user.pk:
        return None
    if time.time() - data.get("at", 0) > unlock_max_age():
        return None
    try:
        return crypto.decrypt(crypto.unb64(cookie), crypto.unb64(data["box"]))
    except (crypto.DecryptionError, ValueError, KeyError):
        return None


def clear(request, response) -> None:
    request.session.pop(SESSION_KEY, None)
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Strict")
