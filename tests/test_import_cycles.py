"""No app's modules import each other in a circle.

A cycle inside an app (models importing views that import models) is usually "solved" by moving
one import into a function, which hides the cycle without removing it: the two modules still
cannot be understood, tested or changed one without the other. So every import counts here, at
module level or inside a function (imports under `if TYPE_CHECKING:` are for annotations only and
do not count).

`KNOWN_CYCLES` lists the cycles that were there when this test was written (issue 16); each is
debt to pay, and the test fails both on a new cycle and on a listed one that is gone (so the list
only shrinks).
"""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KNOWN_CYCLES: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def app_modules() -> dict[str, Path]:
    modules = {}
    for app_config in ROOT.glob("*/apps.py"):
        for path in app_config.parent.rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(tree: ast.AST):
    """Every import statement, except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def imported_modules(module: str, source: str, is_package: bool) -> set[str]:
    """The project modules that `module` imports (a `from x import y` may name module x.y)."""
    known = app_modules()
    found = set()
    for node in _imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module
            candidates = [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]
        found.update(name for name in candidates if name in known and name != module)
    return found


def cycles_within_apps() -> set[frozenset[str]]:
    """Strongly connected groups of more than one module, edges kept inside each app (Tarjan)."""
    graph = {
        module: {
            other
            for other in imported_modules(module, path.read_text(), path.name == "__init__.py")
            if other.split(".")[0] == module.split(".")[0]
        }
        for module, path in app_modules().items()
    }
    index, low, stack, on_stack, groups = {}, {}, [], set(), set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.add(frozenset(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_no_new_import_cycle_inside_an_app_and_the_known_ones_only_shrink():
    found = cycles_within_apps()
    new = [sorted(group) for group in found - KNOWN_CYCLES]
    gone = [sorted(group) for group in KNOWN_CYCLES - found]
    assert not new, f"new import cycles inside an app: {new}"
    assert not gone, f"these cycles are gone or changed: update KNOWN_CYCLES to what remains: {gone}"


def test_an_import_inside_a_function_still_counts():
    source = "def f():\n    from .views import x\n"
    assert imported_modules("training.models", source, is_package=False) == {"training.views"}


def test_an_import_for_annotations_only_does_not_count():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .views import x\n"
    assert imported_modules("training.models", source, is_package=False) == set()
