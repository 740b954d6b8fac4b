import datetime as dt

from enquiries.business_days import JST, add_business_days, due_at, holidays

D = dt.date


def test_2026_holidays_including_substitute_and_citizens_holidays():
    assert holidays(2026) == {
        D(2026, 1, 1), D(2026, 1, 12), D(2026, 2, 11), D(2026, 2, 23), D(2026, 3, 20), D(2026, 4, 29),
        D(2026, 5, 3), D(2026, 5, 4), D(2026, 5, 5), D(2026, 5, 6), D(2026, 7, 20), D(2026, 8, 11),
        D(2026, 9, 21), D(2026, 9, 22), D(2026, 9, 23), D(2026, 10, 12), D(2026, 11, 3), D(2026, 11, 23),
    }  # fmt: skip


def test_2025_holidays():
    assert holidays(2025) == {
        D(2025, 1, 1), D(2025, 1, 13), D(2025, 2, 11), D(2025, 2, 23), D(2025, 2, 24), D(2025, 3, 20),
        D(2025, 4, 29), D(2025, 5, 3), D(2025, 5, 4), D(2025, 5, 5), D(2025, 5, 6), D(2025, 7, 21),
        D(2025, 8, 11), D(2025, 9, 15), D(2025, 9, 23), D(2025, 10, 13), D(2025, 11, 3), D(2025, 11, 23),
        D(2025, 11, 24),
    }  # fmt: skip


def test_2027_vernal_equinox_on_a_sunday_gives_a_substitute_monday():
    assert D(2027, 3, 21) in holidays(2027)
    assert D(2027, 3, 22) in holidays(2027)


def test_one_off_moves_of_the_olympic_years_are_kept():
    # 2020: Sports Day moved from the second Monday of October to Friday 24 July.
    assert D(2020, 7, 24) in holidays(2020)
    assert D(2020, 10, 12) not in holidays(2020)


def test_weekends_and_holidays_are_skipped():
    # Friday 20 November 2026; Monday 23rd is Labour Thanksgiving Day.
    assert add_business_days(D(2026, 11, 20), 3) == D(2026, 11, 26)
    # Golden Week 2026: 4–6 May are holidays.
    assert add_business_days(D(2026, 4, 30), 3) == D(2026, 5, 8)
    # Silver Week 2026: 21–23 September.
    assert add_business_days(D(2026, 9, 18), 1) == D(2026, 9, 24)


def test_an_enquiry_received_on_a_saturday_counts_from_monday():
    assert add_business_days(D(2026, 11, 28), 3) == D(2026, 12, 2)  # Mon 30, Tue 1, Wed 2


def test_due_is_the_end_of_the_day_in_japan():
    received = dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC)  # Friday 01:00 in Tokyo

    due = due_at(received, 3)

    assert due == dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=JST)
