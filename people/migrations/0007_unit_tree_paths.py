"""Code paths ("HQ/SALES/HACHINOHE/") become treebeard paths, computed from the parent keys.

treebeard's defaults are written out here rather than read from `people.models.Unit`, so this
migration keeps computing the paths it was written for: each level is a 4-character step in base
36, numbered from 1 among siblings in code order (`node_order_by = ["code"]`). The siblings are
ordered by the database, as treebeard orders them, so both agree on every backend's collation.
A code path ends with "/" and a treebeard path never holds one, so the new paths can be written
over the old ones row by row without colliding.
"""

from collections import defaultdict

from django.db import migrations

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


def code_paths_to_tree(apps, schema_editor):
    Unit = apps.get_model("people", "Unit")
    children = defaultdict(list)
    for pk, parent_id in Unit.objects.order_by("code", "pk").values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    placed = 0
    # Top down, so each unit's path extends its parent's.
    pending = [(None, "", 1)]
    while pending:
        parent_id, parent_path, depth = pending.pop()
        for number, pk in enumerate(children[parent_id], start=1):
            path = parent_path + step(number)
            Unit.objects.filter(pk=pk).update(path=path, depth=depth, numchild=len(children[pk]))
            pending.append((pk, path, depth + 1))
            placed += 1
    if placed != sum(len(pks) for pks in children.values()):
        raise RuntimeError("Some units are not reachable from a top-level unit (a cycle of parents).")


def tree_to_code_paths(apps, schema_editor):
    Unit = apps.get_model("people", "Unit")
    by_path = {}
    # Parents sort before their children by path.
    for unit in Unit.objects.order_by("path"):
        parent = by_path.get(unit.path[:-STEPLEN])
        unit.parent_id = parent.pk if parent else None
        unit.code_path = (parent.code_path if parent else "") + f"{unit.code}/"
        by_path[unit.path] = unit
    for unit in by_path.values():
        Unit.objects.filter(pk=unit.pk).update(parent_id=unit.parent_id, path=unit.code_path)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_unit_tree_depth_numchild"),
    ]

    operations = [
        migrations.RunPython(code_paths_to_tree, tree_to_code_paths),
    ]
