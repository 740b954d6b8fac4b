"""Reading a person together with the facts almost every page needs, in one query."""

from django.db.models import Aggregate, Exists, OuterRef, Subquery, TextField

SEPARATOR = "\n"  # group names and role codes are single-line


class JoinedText(Aggregate):
    """The strings of a group joined by newlines: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="STRING_AGG(%(expressions)s, E'\\n')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="GROUP_CONCAT(%(expressions)s, char(10))", **extra)


def joined_names(related, field: str, owner: str) -> Subquery:
    """Subquery: the `field` values of `related` rows belonging to the outer person, joined."""
    rows = related.objects.filter(**{owner: OuterRef("pk")}).order_by().values(owner)
    return Subquery(rows.annotate(joined=JoinedText(field)).values("joined"))


def split_joined(joined: str | None) -> frozenset[str]:
    return frozenset(name for name in (joined or "").split(SEPARATOR) if name)


def request_facts(queryset):
    """The person with unit and employment type, the names of their groups, the codes of their job
    roles and whether they manage a unit: what the header, the role checks, the department sections
    and the staff navigation read on every page. Read live with the person, never cached."""
    from django.contrib.auth.models import Group

    from .models import JobRole, Unit

    return queryset.select_related("unit", "employment_type").annotate(
        _group_names_joined=joined_names(Group, "name", "user"),
        _job_role_codes_joined=joined_names(JobRole, "code", "people"),
        _manages_a_unit=Exists(Unit.managers.through.objects.filter(person_id=OuterRef("pk"))),
    )
