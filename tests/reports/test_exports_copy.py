"""On PostgreSQL the row-level CSV is written by COPY: byte for byte what the Python writer (SQLite) gives."""

import csv
import io

import pytest
import time_machine

from people.models import Person
from reports import exports, selectors
from tests.factories import people as pf
from tests.reports.conftest import NOW
from tests.training.conftest import jst
from training import services as training

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Text a spreadsheet would run as a formula, cells the CSV must quote, and empty cells.
AWKWARD_NAMES = [
    ('=HYPERLINK("http://example.com")', "太郎"),
    ("+81", "-1+2"),
    ("@SUM(A1)", "\t字下げ"),
    ("\r戻り", 'a,b "c"\nd'),
    ("山田, 太郎", ""),
]


@pytest.fixture
def awkward(world, make_module):
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        people = [
            pf.person(unit_code="HACHINOHE", family_name=family, given_name=given, manager=world["manager"])
            for family, given in AWKWARD_NAMES
        ]
        make_module("formula", title='=1+1 "研修", 改定版', everyone=True, due_days=10)
        training.assignments_sync()
    # Someone without an employee number or a unit (an account made by hand, not by the HR import).
    Person.objects.filter(pk=people[-1].pk).update(employee_number=None, unit=None)
    return people


def both(**kwargs) -> tuple[bytes, bytes]:
    by_copy = exports.row_level_table(copy=True, **kwargs)
    by_python = exports.row_level_table(copy=False, **kwargs)
    return b"".join(exports.csv_chunks(by_copy)), b"".join(exports.csv_chunks(by_python))


def test_copy_is_the_default_on_postgresql(world):
    table = exports.row_level_table(name="assignments", cycle=selectors.CURRENT, unit_ids=None)
    assert table.csv_body is not None


@pytest.mark.parametrize("name", ["assignments", "overdue"])
@pytest.mark.parametrize("cycle", [selectors.CURRENT, "FY2025", "once"])
def test_copy_csv_equals_the_python_csv(world, awkward, name, cycle):
    with time_machine.travel(NOW, tick=False):
        by_copy, by_python = both(name=name, cycle=cycle, unit_ids=None)
    assert by_copy == by_python
    assert by_copy.startswith(exports.BOM)


def test_copy_csv_equals_the_python_csv_for_a_unit_scope_and_a_limit(world, awkward):
    hachinohe = selectors.UnitTree.load().by_code("HACHINOHE")
    unit_ids = selectors.UnitTree.load().subtree_ids([hachinohe.path])
    with time_machine.travel(NOW, tick=False):
        by_copy, by_python = both(name="assignments", cycle=selectors.CURRENT, unit_ids=unit_ids)
        assert by_copy == by_python
        first, first_python = both(name="assignments", cycle=selectors.CURRENT, unit_ids=None, limit=3)
    assert first == first_python and len(list(csv.reader(io.StringIO(first.decode("utf-8-sig"))))) == 4


def test_copy_csv_keeps_formulas_as_text_and_quotes_what_must_be_quoted(world, awkward):
    with time_machine.travel(NOW, tick=False):
        by_copy, _ = both(name="assignments", cycle=selectors.CURRENT, unit_ids=None)
    rows = list(csv.reader(io.StringIO(by_copy.decode("utf-8-sig"), newline="")))
    names = {(r[1], r[2]) for r in rows[1:]}
    assert ('\'=HYPERLINK("http://example.com")', "太郎") in names
    assert ("'+81", "'-1+2") in names
    assert ("'@SUM(A1)", "'\t字下げ") in names
    assert ("'\r戻り", 'a,b "c"\nd') in names
    assert ("山田, 太郎", "") in names
    assert '\'=1+1 "研修", 改定版' in {r[7] for r in rows[1:]}
    text = by_copy.decode("utf-8-sig")
    # The person without a unit or an employee number: empty cells, not quoted empty strings.
    assert '\r\n,"山田, 太郎",,,,正社員,' in text
    # Every line ends in CRLF; the only bare line feed is the one inside a quoted name.
    assert text.endswith("\r\n")
    assert text.count("\n") - text.count("\r\n") == text.count('"c""\nd"') > 0
