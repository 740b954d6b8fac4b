"""A global ceiling on hotline reports, kept without anything that could tell reporters apart.

The hotline must not record or use client addresses, User-Agents or cookies, so there is no
per-client limit. Instead every filed report counts against one shared counter per time window
(`HOTLINE_INTAKE_LIMIT` reports per `HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS`), stored in the cache
(Redis in production, shared by all app servers). The counter key holds only the window number
and a count and expires with the window. If the cache is unreachable the ceiling is not applied:
the hotline must stay open when Redis is not.
"""

import time

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "hotline:intake-ceiling"


def window_seconds() -> int:
    return int(getattr(settings, "HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS", 600))


def ceiling() -> int:
    """Reports per window; 0 switches the ceiling off."""
    return int(getattr(settings, "HOTLINE_INTAKE_LIMIT", 60))


def _key(now: float) -> str:
    return f"{KEY_PREFIX}:{int(now) // window_seconds()}"


def intake_allowed(now: float | None = None) -> bool:
    """Count one report against the current window; False once the window's ceiling is passed."""
    limit = ceiling()
    if limit <= 0:
        return True
    key = _key(time.time() if now is None else now)
    cache.add(key, 0, timeout=window_seconds() + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds() + 60)
        count = 1
    # None: the cache backend ignored a connection error (django-redis IGNORE_EXCEPTIONS).
    return count is None or count <= limit


def retry_after_seconds(now: float | None = None) -> int:
    """Seconds until the current window ends (when reports are accepted again)."""
    now = time.time() if now is None else now
    return window_seconds() - int(now) % window_seconds()
