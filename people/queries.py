"""Reading a person together with the facts almost every page needs, in one query.

The facts are correlated subqueries written as SQL: the same subqueries built with the ORM took
longer to put together on every request than the database took to run them.
"""

from django.db import connections
from django.db.models import BooleanField, TextField
from django.db.models.expressions import RawSQL

SEPARATOR = "\n"  # group names and role codes are single-line


def split_joined(joined: str | None) -> frozenset[str]:
    return frozenset(name for name in (joined or "").split(SEPARATOR) if name)


def _joined(vendor: str, owner_table: str, m2m, target_field: str) -> RawSQL:
    """The `target_field` values of the rows `m2m` links to the outer person, newline-joined."""
    through = m2m.through._meta
    target = m2m.model._meta if m2m.reverse else m2m.field.related_model._meta
    source_column = through.get_field(m2m.field.m2m_field_name()).column
    target_column = through.get_field(m2m.field.m2m_reverse_field_name()).column
    value = f'"t"."{target.get_field(target_field).column}"'
    joined = f"STRING_AGG({value}, E'\\n')" if vendor == "postgresql" else f"GROUP_CONCAT({value}, char(10))"
    # Only table and column names from model metadata are formatted in; nothing comes from input.
    return RawSQL(  # noqa: S611
        f'(SELECT {joined} FROM "{target.db_table}" "t" INNER JOIN "{through.db_table}" "l" '  # noqa: S608
        f'ON "l"."{target_column}" = "t"."{target.pk.column}" WHERE "l"."{source_column}" = "{owner_table}"."id")',
        (),
        output_field=TextField(),
    )


def request_facts(queryset):
    """The person with their employment type, the names of their groups, the codes of their job
    roles and whether they manage a unit: what the header, the role checks, the department sections
    and the staff navigation read on every page. Read live with the person, never cached."""
    from .models import Person, Unit

    vendor = connections[queryset.db].vendor
    owner = Person._meta.db_table
    managers = Unit.managers.through._meta
    manager_column = managers.get_field(Unit.managers.field.m2m_reverse_field_name()).column
    return queryset.select_related("employment_type").annotate(
        _group_names_joined=_joined(vendor, owner, Person.groups, "name"),
        _job_role_codes_joined=_joined(vendor, owner, Person.job_roles, "code"),
        _manages_a_unit=RawSQL(  # noqa: S611 (names from model metadata only)
            f'EXISTS (SELECT 1 FROM "{managers.db_table}" "m" WHERE "m"."{manager_column}" = "{owner}"."id")',  # noqa: S608
            (),
            output_field=BooleanField(),
        ),
    )
