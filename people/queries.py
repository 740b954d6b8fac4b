"""Reading the person of a request together with the facts almost every page needs.

The header, the role checks, the department sections and the staff navigation read the person's
group names, job-role codes, employment type, whether they manage a unit and whether they moved
from the grid company on every page. They come with the person in three queries, all through the
ORM: the person with their employment type and unit and an `EXISTS` each for managing a unit and for a
transfer from the grid company, then their groups and their job roles (`prefetch_related`).
Read live with the person on each request, never cached: a change shows on the very next request.
"""

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Prefetch


def request_facts(queryset):
    """`queryset` (of people) with the facts above; `Person` reads them from what this loads."""
    from .models import JobRole, Transfer, Unit

    return (
        queryset.select_related("employment_type", "unit")
        .annotate(
            manages_units=Exists(Unit.objects.filter(managers=OuterRef("pk"))),
            transferred_from_grid=Exists(Transfer.from_grid().filter(person=OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.only("name")),
            Prefetch("job_roles", queryset=JobRole.objects.only("code")),
        )
    )


def person_for_request(pk, alias: str = DEFAULT_DB_ALIAS):
    """The person with the facts above, or None."""
    from .models import Person

    return request_facts(Person.objects.db_manager(alias).filter(pk=pk)).first()
