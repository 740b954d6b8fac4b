"""Generations of cached fragments that no page revision names.

A fragment that lists other pages (the news on the home page, the cases under a rule) cannot be
keyed by its own page's revision. Its key carries a generation instead, which the signals of
whatever it lists replace: every fragment of that name is then read afresh, on every server.
Cached data that no single row names works the same way (the dashboard's figures, reports/caching.py).
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

# A generation nobody renews still ends: one per person is kept for the personal panels, and a key
# without an expiry is one a cache evicting only expiring keys (Redis' volatile-* policies) would
# keep for ever. When it ends, the next reader starts a new one and computes its fragments afresh.
GENERATION_TTL = 7 * 24 * 60 * 60


def _key(name: str) -> str:
    return f"portal:generation:{name}"


def generation(name: str) -> str:
    current = cache.get(_key(name))
    if current is None:
        current = secrets.token_hex(8)
        if not cache.add(_key(name), current, GENERATION_TTL):
            current = cache.get(_key(name), current)
    return current


def generations(*names: str) -> list[str]:
    """`generation` of each name, read in one round trip when they all exist (the usual case)."""
    found = cache.get_many([_key(name) for name in names])
    return [found.get(_key(name)) or generation(name) for name in names]


def cached(name: str, cache_key: str, compute: Callable[[], Any], timeout: int) -> Any:
    """`compute()`, kept at `cache_key` for as long as the generation of `name` stays the same.

    The value is stored with the generation it was computed under, so the usual read (generation
    and value) is one round trip. The generation is read before `compute()` reads any row: a value
    computed from rows a change is about to replace is stored under the old generation and never
    served. An exception from `compute()` is raised, and nothing is cached.
    """
    found = cache.get_many([_key(name), cache_key])
    current, stored = found.get(_key(name)), found.get(cache_key)
    if current is not None and stored is not None and stored[0] == current:
        return stored[1]
    current = current or generation(name)  # only a generation not yet in the cache needs another trip
    value = compute()
    cache.set(cache_key, (current, value), timeout)
    return value


def renew(name: str) -> None:
    """Drop every fragment of this name, now and again once the change commits (a reader in
    between may have cached what was there before)."""
    cache.set(_key(name), secrets.token_hex(8), GENERATION_TTL)
    transaction.on_commit(lambda: cache.set(_key(name), secrets.token_hex(8), GENERATION_TTL))
