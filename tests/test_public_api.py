"""The project uses Django, Wagtail and the other packages through their public APIs only.

Every Python file of the project (the apps, bench, manage.py and the tests too: a test that reaches
into a package's internals breaks with its next release as surely as the code does; not .venv) is
read with `ast`, and two things fail the test:

(a) an attribute `x._name` (one leading underscore, not a dunder) that the project does not define
    itself: the project's own private names (functions, classes, module and class attributes,
    `self._x = …`) are its business; anyone else's are not. Documented exceptions are in
    `PUBLIC_UNDERSCORE_NAMES` (Django's `_meta`, namedtuple's `_replace` …). `getattr`/`setattr`/
    `hasattr`/`delattr` with such a name as a string count as access too, and so does importing an
    underscore name, or from an underscore module, of another package.
(b) SQL text handed to the database (`cursor.execute`, `schema_editor.execute`, `RawSQL`, `.raw()`,
    `.extra()`, `RunSQL`, `cursor.copy`) that names a table another package's migrations own: the
    tables of every model whose app is not one of the project's (from `apps.get_models()`).

An import from another package's internal module (a part named `internal`, as allauth names the
helpers it does not support) counts as private too.

`ALLOWED` names each exception and its reason; keep it short.
"""

import ast
import functools
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "node_modules", "__pycache__", "static", "media", "locale"}

# Underscore names the packages document as public.
PUBLIC_UNDERSCORE_NAMES = {
    "_meta": "Django's Model._meta, the documented Model _meta API",
    "_default_manager": "Django documents Model._default_manager",
    "_base_manager": "Django documents Model._base_manager",
    "_db": "Manager._db: `user.save(using=self._db)` in Django's documented custom user manager",
    "_replace": "collections.namedtuple",
    "_asdict": "collections.namedtuple",
    "_fields": "collections.namedtuple",
    "_make": "collections.namedtuple",
    "_exit": "os._exit, documented for child processes",
}

# {(path relative to the project, name): reason}
ALLOWED: dict[tuple[str, str], str] = {
    ("people/mfa.py", "allauth.mfa.totp.internal"): (
        "allauth keeps the TOTP secret of an enrolment in progress only through this module "
        "(get_totp_secret), and its public ActivateTOTPForm reads it from there; the portal keeps that "
        "secret until enrolment succeeds, so it must read the same store. Pinned allauth <66."
    ),
    ("people/views.py", "allauth.mfa.totp.internal"): (
        "the same store: 'new secret' on the enrolment page clears it (clear_totp_secret)."
    ),
    ("tests/portal/test_login_rate_limit.py", "allauth.core.internal.ratelimit"): (
        "the test reads allauth's own failed-login counter to show it is kept in the shared cache; "
        "allauth offers no public way to name that cache key."
    ),
}

SQL_CALLS = {"execute", "executemany", "executescript", "raw", "extra", "copy", "RawSQL", "RunSQL"}
NAME_ACCESSORS = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def project_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        files.append(path)
    return files


@functools.cache
def project_packages() -> set[str]:
    """The top-level names of the project's own modules: its folders and the files at its root."""
    return {path.relative_to(ROOT).parts[0].removesuffix(".py") for path in project_files()}


def defined_private_names(tree: ast.AST) -> set[str]:
    """Underscore names a source defines: functions, classes, assigned names (module, class and
    local), and attributes it sets on `self` or `cls`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store | ast.Del)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
    return {name for name in names if is_private(name)}


def private_accesses(tree: ast.AST) -> Iterable[tuple[int, str]]:
    """(line, name) of each access to an underscore attribute."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            yield node.lineno, node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in NAME_ACCESSORS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            yield node.lineno, node.args[1].value


def is_internal_module(module: str) -> bool:
    """A module a package marks as not for others: an underscore part, or a part named `internal`
    (allauth keeps its unsupported helpers in `…internal…` modules)."""
    return any(is_private(part) or part == "internal" for part in module.split("."))


def private_imports(tree: ast.AST, ours: set[str]) -> Iterable[tuple[int, str]]:
    """(line, name) of each underscore name imported from a module that is not the project's, and
    (line, module) of each import from another package's internal module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] not in ours:
            if is_internal_module(node.module):
                yield node.lineno, node.module
                continue
            for alias in node.names:
                if is_private(alias.name):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in ours and is_internal_module(alias.name):
                    yield node.lineno, alias.name


def _strings(node: ast.AST, constants: dict[str, list[str]]) -> list[str]:
    """The text of a string expression: constants, the constant parts of f-strings and `+`/`%`
    of strings, and names bound to strings (or lists of them) at the module level or by a loop."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [" ".join(s for value in node.values for s in _strings(value, constants))]
    if isinstance(node, ast.FormattedValue):
        return _strings(node.value, constants)
    if isinstance(node, ast.BinOp):
        return _strings(node.left, constants) + _strings(node.right, constants)
    if isinstance(node, ast.List | ast.Tuple):
        return [s for element in node.elts for s in _strings(element, constants)]
    if isinstance(node, ast.Name):
        return constants.get(node.id, [])
    return []


def sql_texts(tree: ast.AST) -> Iterable[tuple[int, str]]:
    """(line, text) of the SQL each database call of a source is given."""
    constants: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants.setdefault(target.id, []).extend(_strings(node.value, {}))
    for node in ast.walk(tree):  # loop variables over those constants
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            constants.setdefault(node.target.id, []).extend(_strings(node.iter, constants))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in SQL_CALLS:
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            for text in _strings(argument, constants):
                yield node.lineno, text


def foreign_tables() -> set[str]:
    """The tables of the models of every app that is not the project's."""
    ours = project_packages()
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.module.__name__.split(".")[0] not in ours
    }


def tables_named(sql: str, tables: set[str]) -> set[str]:
    words = set(re.findall(r"[a-z0-9_]+", sql.lower()))
    return tables & words


def violations(source: str, path: str, defined: set[str], tables: set[str]) -> list[str]:
    """What a source does against the rules above, as `path:line: …` lines."""
    tree = ast.parse(source, filename=path)
    found = []
    for line, name in private_accesses(tree):
        if name not in defined and name not in PUBLIC_UNDERSCORE_NAMES and (path, name) not in ALLOWED:
            found.append(f"{path}:{line}: private attribute {name} of another package")
    for line, name in private_imports(tree, project_packages()):
        if (path, name) not in ALLOWED:
            found.append(f"{path}:{line}: private import {name} from another package")
    for line, sql in sql_texts(tree):
        for table in sorted(tables_named(sql, tables)):
            if (path, table) not in ALLOWED:
                found.append(f"{path}:{line}: SQL on {table}, a table of another package")
    return found


@pytest.fixture(scope="module")
def project():
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in project_files()}
    trees = {path: ast.parse(source, filename=path) for path, source in sources.items()}
    defined = set().union(*(defined_private_names(tree) for tree in trees.values()))
    return sources, defined


def test_the_project_uses_only_public_apis_of_other_packages(project):
    sources, defined = project
    tables = foreign_tables()
    found = [v for path, source in sources.items() for v in violations(source, path, defined, tables)]
    assert found == []


def test_the_allow_list_names_only_what_is_still_there(project):
    sources, _defined = project
    for (path, name), reason in ALLOWED.items():
        assert reason
        assert path in sources and name in sources[path], (path, name)


def test_a_private_attribute_of_wagtail_is_reported(project):
    _sources, defined = project
    source = "def site_of(request):\n    return request._wagtail_site\n"
    assert violations(source, "portal/example.py", defined, foreign_tables()) == [
        "portal/example.py:2: private attribute _wagtail_site of another package"
    ]


def test_setting_a_private_attribute_by_name_is_reported(project):
    _sources, defined = project
    source = 'setattr(request, "_wagtail_route_for_request", route)\nrequest._get_raw_host()\n'
    assert len(violations(source, "portal/example.py", defined, foreign_tables())) == 2


def test_an_import_from_another_packages_internal_module_is_reported(project):
    _sources, defined = project
    source = (
        "from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes\n"
        "import allauth.core.internal.httpkit\n"
        "from allauth.mfa.adapter import get_adapter\n"
    )
    assert violations(source, "portal/example.py", defined, foreign_tables()) == [
        "portal/example.py:1: private import allauth.mfa.recovery_codes.internal.auth from another package",
        "portal/example.py:2: private import allauth.core.internal.httpkit from another package",
    ]


def test_the_projects_own_private_names_and_documented_ones_pass(project):
    _sources, defined = project
    source = (
        "class Thing:\n"
        "    def __init__(self):\n"
        "        self._cache = {}\n"
        "    def get(self, model):\n"
        "        return self._cache, model._meta.db_table, Point(1, 2)._replace(x=3)\n"
    )
    assert violations(source, "portal/example.py", defined | defined_private_names(ast.parse(source)), set()) == []


def test_sql_on_another_packages_table_is_reported():
    tables = foreign_tables()
    assert "wagtailsearch_indexentry" in tables and "wagtailcore_page" in tables
    assert "portal_searchentry" not in tables
    source = (
        "INDEX = 'CREATE INDEX x ON \"wagtailsearch_indexentry\" USING gin (body)'\n"
        "def run(cursor, schema_editor):\n"
        "    cursor.execute(f'SELECT 1 FROM wagtailcore_page WHERE id = %s', [1])\n"
        "    schema_editor.execute(INDEX)\n"
        "    cursor.execute('SELECT page_id FROM portal_searchentry')\n"
    )
    assert violations(source, "portal/example.py", set(), tables) == [
        "portal/example.py:3: SQL on wagtailcore_page, a table of another package",
        "portal/example.py:4: SQL on wagtailsearch_indexentry, a table of another package",
    ]
