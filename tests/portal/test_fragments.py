"""`portal.fragments.cached`: a value kept while its generation stands, read in one round trip."""

import time

import pytest
from django.core.cache import cache

from portal import fragments

NAME = "test-fragments"


@pytest.fixture(autouse=True)
def empty_cache(db):  # renewing a generation schedules a second renewal for when the change commits
    cache.clear()
    yield
    cache.clear()


def counting(values):
    calls = []

    def compute():
        calls.append(1)
        return values[len(calls) - 1]

    return compute, calls


def test_a_value_is_computed_once_and_again_after_its_generation_is_renewed():
    compute, calls = counting(["first", "second"])
    assert fragments.cached(NAME, "k", compute, 60) == "first"
    assert fragments.cached(NAME, "k", compute, 60) == "first"
    assert len(calls) == 1
    fragments.renew(NAME)
    assert fragments.cached(NAME, "k", compute, 60) == "second"
    assert len(calls) == 2


def test_a_value_computed_while_a_change_renewed_the_generation_is_never_served():
    # A slow reader: it reads the generation, then the rows; a writer renews the generation in
    # between. What the reader stores belongs to the old generation, so the next read computes again.
    def slow_compute():
        fragments.renew(NAME)  # the change lands while the reader is still reading
        return "from the rows before the change"

    assert fragments.cached(NAME, "k", slow_compute, 60) == "from the rows before the change"
    assert fragments.cached(NAME, "k", lambda: "after", 60) == "after"


def test_the_usual_read_is_one_round_trip(monkeypatch):
    fragments.cached(NAME, "k", lambda: "value", 60)
    trips = []
    inside_get_many = []
    original_get, original_get_many = cache.get, cache.get_many

    def get(*args, **kwargs):
        if not inside_get_many:  # the local-memory backend's get_many reads key by key
            trips.append(("get", args))
        return original_get(*args, **kwargs)

    def get_many(keys):
        trips.append(("get_many", keys))
        inside_get_many.append(1)
        try:
            return original_get_many(keys)
        finally:
            inside_get_many.pop()

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    assert fragments.cached(NAME, "k", lambda: pytest.fail("computed again"), 60) == "value"
    assert [kind for kind, _ in trips] == ["get_many"]


def test_nothing_is_cached_when_the_computation_fails():
    def failing():
        raise LookupError

    with pytest.raises(LookupError):
        fragments.cached(NAME, "k", failing, 60)
    assert fragments.cached(NAME, "k", lambda: "value", 60) == "value"


def test_a_generation_nobody_renews_ends_and_its_fragments_are_computed_again(monkeypatch):
    # Real time, not a travelling clock: Redis expires keys by its own clock.
    monkeypatch.setattr(fragments, "GENERATION_TTL", 1)
    compute, calls = counting(["first", "second"])
    assert fragments.cached(NAME, "k", compute, 600) == "first"
    assert fragments.cached(NAME, "k", compute, 600) == "first"
    time.sleep(2.1)  # the generation's key has expired; the value's has not
    assert fragments.cached(NAME, "k", compute, 600) == "second"
    assert len(calls) == 2
