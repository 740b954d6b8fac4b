"""Reading a person together with the facts almost every page needs, in one query.

The facts are correlated subqueries written as SQL: the same subqueries built with the ORM took
longer to put together on every request than the database took to run them.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections
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
    """The person with the names of their groups, the codes of their job roles and employment type,
    and whether they manage a unit: what the header, the role checks, the department sections and
    the staff navigation read on every page. Read live with the person, never cached."""
    from .models import EmploymentType, Person, Unit

    vendor = connections[queryset.db].vendor
    owner = Person._meta.db_table
    managers = Unit.managers.through._meta
    manager_column = managers.get_field(Unit.managers.field.m2m_reverse_field_name()).column
    etype = EmploymentType._meta
    # Only table and column names from model metadata are formatted in; nothing comes from input.
    return queryset.annotate(
        _group_names_joined=_joined(vendor, owner, Person.groups, "name"),
        _job_role_codes_joined=_joined(vendor, owner, Person.job_roles, "code"),
        _employment_type_code=RawSQL(  # noqa: S611
            f'(SELECT "e"."{etype.get_field("code").column}" FROM "{etype.db_table}" "e" '  # noqa: S608
            f'WHERE "e"."{etype.pk.column}" = "{owner}"."{Person._meta.get_field("employment_type").column}")',
            (),
            output_field=TextField(),
        ),
        _manages_a_unit=RawSQL(  # noqa: S611
            f'EXISTS (SELECT 1 FROM "{managers.db_table}" "m" WHERE "m"."{manager_column}" = "{owner}"."id")',  # noqa: S608
            (),
            output_field=BooleanField(),
        ),
    )


@functools.cache
def _request_facts_sql(alias: str) -> str:
    from .models import Person

    sql, params = request_facts(Person.objects.using(alias).filter(pk=0).order_by()).query.sql_with_params()
    if list(params) != [0]:  # the primary key must be the statement's only parameter
        raise ValueError(f"unexpected parameters {params!r}")
    return sql


def person_for_request(pk, alias: str = DEFAULT_DB_ALIAS):
    """The person with the facts above, or None. The statement is put together once per process
    (it never changes); only the primary key varies."""
    from .models import Person

    found = list(Person.objects.db_manager(alias).raw(_request_facts_sql(alias), [pk]))
    return found[0] if found else None
