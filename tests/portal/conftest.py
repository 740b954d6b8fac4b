from io import StringIO

import pytest


@pytest.fixture
def demo(db):
    """The portal's demo pages and people, loaded the way `manage.py demo` loads them."""
    from people.demo import load as load_people
    from portal.demo import load as load_portal

    load_portal(StringIO())
    load_people(StringIO())
