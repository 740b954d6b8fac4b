"""`make run` loads the demo on every start: the second load must change nothing (SPEC §5).

Every app's loader runs, in order, twice; the row count of every model is the same after both.
A later app's demo that adds people the earlier training demo never saw (issue 18's grid staff
did) shows up here as new assignments and completions on the second run.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection


def _counts() -> dict[str, int]:
    # Unmanaged models are views of other tables (the SQLite-only FTS5 search table, for one);
    # a model for another database has no table here (the PostgreSQL-only assignment tally).
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.can_migrate(connection)
    }


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    first = _counts()
    call_command("demo", stdout=io.StringIO())
    second = _counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert first["people.Person"] > 400 and first["training.Assignment"] > 0
    assert changed == {}
