"""The rule every section of the regulator report shares: whole ended months, small counts as "<5"."""

import datetime

import pytest

from infrastructure.disclosure import shown, suppressed, whole_months


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2026, 4, 15), (2026, 6, 30), ((2026, 5, 1), (2026, 6, 30))),
        ((2026, 4, 1), (2026, 6, 29), ((2026, 4, 1), (2026, 5, 31))),
        ((2024, 1, 31), (2024, 2, 29), ((2024, 2, 1), (2024, 2, 29))),
        ((2026, 10, 1), (2026, 12, 31), ((2026, 10, 1), (2026, 11, 30))),  # December has not ended
    ],
)
def test_whole_months_keeps_only_the_whole_calendar_months_that_have_ended(start, end, expected):
    first, last = whole_months(start=datetime.date(*start), end=datetime.date(*end), today=datetime.date(2026, 12, 1))
    assert (first, last) == (datetime.date(*expected[0]), datetime.date(*expected[1]))


def test_counts_under_five_are_shown_as_less_than_five():
    assert [shown(suppressed(n)) for n in (0, 1, 4, 5, 17)] == ["<5", "<5", "<5", "5", "17"]
