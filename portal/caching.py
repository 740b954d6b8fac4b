"""Version counters for cached data that many keys depend on.

A cache key that includes `version(name)` is dropped all at once by `bump(name)`: the old keys are
never read again and expire on their own. (Redis and the per-process cache both keep counters.)
"""

from django.core.cache import cache


def version(name: str) -> int:
    return cache.get_or_set(name, 1, None)


def bump(name: str) -> None:
    try:
        cache.incr(name)
    except ValueError:  # not set yet, or evicted
        cache.set(name, 1, None)
