"""Which app may import which: the table of docs/architecture.md, checked against the code.

Every import counts, at module level or inside a function (as in tests/test_import_cycles.py).
A new edge fails the test until the table and the architecture page say why it is there; an edge
the table allows but the code no longer uses fails too, so the table stays true.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAY_IMPORT = {
    "infrastructure": set(),
    "audit": set(),
    "people": {"audit"},
    "portal": {"people"},
    "quizzes": {"audit", "portal"},
    "casebook": {"portal"},
    "enquiries": {"audit", "people", "portal", "infrastructure"},
    "training": {"audit", "people", "portal", "quizzes"},
    "reports": {"audit", "people", "portal", "quizzes", "training", "enquiries", "infrastructure"},
    "whistleblowing": {"audit", "people", "infrastructure"},
    "monitoring": {"audit", "people", "portal", "training", "infrastructure"},
}


def imported_apps(app: str) -> set[str]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found.update(name.split(".")[0] for name in names)
    return (found & MAY_IMPORT.keys()) - {app}


def test_every_app_is_in_the_table():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == MAY_IMPORT.keys()


def test_apps_import_only_what_the_architecture_allows():
    actual = {app: imported_apps(app) for app in MAY_IMPORT}
    assert {app: sorted(actual[app] - allowed) for app, allowed in MAY_IMPORT.items() if actual[app] - allowed} == {}


def test_the_table_allows_nothing_the_code_does_not_use():
    actual = {app: imported_apps(app) for app in MAY_IMPORT}
    assert {app: sorted(allowed - actual[app]) for app, allowed in MAY_IMPORT.items() if allowed - actual[app]} == {}
