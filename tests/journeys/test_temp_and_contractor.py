"""Temp staff (temp@example.jp) and contractor staff (contractor@example.jp): their home, their
training, the rules written for them, and asking the enquiry desk."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("email", ["temp@example.jp", "contractor@example.jp"])
def test_reads_their_rules_and_starts_their_training(open_person, email):
    person = open_person(email.split("@")[0])
    person.log_in(email)
    person.follow(".site-nav a[href='/training/']", "my-training")
    modules = person.page.locator("main a[href^='/training-modules/']")
    assert modules.count() > 0, f"{email} has no training to do"
    person.follow("main a[href^='/training-modules/']", "module")
    person.follow("main a[href*='/lessons/']", "lesson")
    person.visit("/rules/contractors-and-temp-staff/", "rule")
    person.follow(".site-nav a[href='/qa/']", "qa")
    person.follow(".site-nav a[href='/enquiries/']", "my-enquiries")
    person.checks.assert_clean()
