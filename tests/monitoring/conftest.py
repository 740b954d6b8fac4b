"""The organisation the monitoring tests read logs against: a grid company, its contractor and a
staffing agency beside the retailer, each with a unit."""

import pytest

from people.models import Company
from tests.factories import people as pf


@pytest.fixture
def org(db):
    grid = Company.objects.create(code="GRID", name="みちのく電力ネットワーク", kind=Company.Kind.GRID)
    contractor = Company.objects.create(code="CONTR", name="検針サービス", kind=Company.Kind.CONTRACTOR)
    staffing = Company.objects.create(code="STAFF", name="派遣会社", kind=Company.Kind.STAFFING)
    retail = pf.company()
    units = {
        "retail": pf.unit("HACHINOHE", "八戸営業所", in_company=retail),
        "call": pf.unit("CALL", "コールセンター", in_company=retail),
        "grid": pf.unit("GRID-HQ", "ネットワーク本部", in_company=grid),
        "contr": pf.unit("CONTR-1", "検針班", in_company=contractor),
    }
    return {"grid": grid, "contractor": contractor, "staffing": staffing, "retail": retail, "units": units}
