"""The dashboard's expensive aggregates, cached until what they count changes.

The GROUP BYs over every assignment and every graded answer (a second or more each at 50,000
people × 20 assignments) are cached under keys that hold a **figures version**. `figures_changed`
replaces the version, which drops every cached figure at once; `reports/receivers.py` calls it
when a signal says that something counted changed (assignments, people, units, names, graded
answers, attestations, checklists, and the training and people tasks that write in bulk). The
keys also hold the Japan date, since "overdue" moves at midnight (due dates are ends of days),
and a timeout bounds what no signal reports (an UPDATE run by hand).
"""

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

from portal import fragments
from training.dates import today_jst

FIGURES = "reports-figures"  # the generation (portal/fragments.py) the figures' keys hold
TIMEOUT = 300  # seconds

T = TypeVar("T")


def figures_version() -> str:
    return fragments.generation(FIGURES)


def figures_changed() -> None:
    """Drop the cached figures now and again when the transaction commits: a dashboard computed
    in between from the rows before the change is not kept under the new version."""
    fragments.renew(FIGURES)


def scope_key(unit_ids: Iterable[int | str] | None) -> str:
    if unit_ids is None:
        return "all"
    return hashlib.sha256(",".join(map(str, sorted(unit_ids))).encode()).hexdigest()[:32]


def cached(name: str, *parts: object, compute: Callable[[], T]) -> T:
    """`compute()`'s result under (name, parts), for the current figures version and Japan date."""
    key = ":".join(["reports", name, figures_version(), today_jst().isoformat(), *map(str, parts)])
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found
