"""Generations of cached fragments that no page revision names.

A fragment that lists other pages (the news on the home page, the cases under a rule) cannot be
keyed by its own page's revision. Its key carries a generation instead, which the signals of
whatever it lists replace: every fragment of that name is then read afresh, on every server.
Cached data that no single row names works the same way (the dashboard's figures, reports/caching.py).
"""

import secrets

from django.core.cache import cache
from django.db import transaction


def _key(name: str) -> str:
    return f"portal:generation:{name}"


def generation(name: str) -> str:
    current = cache.get(_key(name))
    if current is None:
        current = secrets.token_hex(8)
        if not cache.add(_key(name), current, None):
            current = cache.get(_key(name), current)
    return current


def generations(*names: str) -> list[str]:
    """`generation` of each name, read in one round trip when they all exist (the usual case)."""
    found = cache.get_many([_key(name) for name in names])
    return [found.get(_key(name)) or generation(name) for name in names]


def renew(name: str) -> None:
    """Drop every fragment of this name, now and again once the change commits (a reader in
    between may have cached what was there before)."""
    cache.set(_key(name), secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(_key(name), secrets.token_hex(8), None))
