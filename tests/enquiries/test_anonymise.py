import pytest

from enquiries.anonymise import anonymise
from tests.factories import people as pf

pytestmark = pytest.mark.django_db


def test_the_askers_unit_and_every_unit_above_it_are_removed():
    sales = pf.unit("SALES", "営業部")
    pf.unit("HACHINOHE", "八戸営業所", parent=sales)
    pf.unit("OTHER", "青森営業所", parent=sales)
    asker = pf.person(unit_code="HACHINOHE", family_name="東山", given_name="健一")
    text = anonymise("営業部の八戸営業所で、青森営業所の件を聞きました。", asker)
    assert "営業部" not in text and "八戸営業所" not in text
    assert "青森営業所" in text  # a sibling unit does not place the asker
