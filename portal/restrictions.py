"""Page view restrictions, read in one query (or none)."""

from django.db.models.functions import Coalesce
from wagtail.models import Page, PageViewRestriction


def _tree_paths(tree_path: str) -> list[str]:
    """The tree paths of the page at `tree_path` and of all its ancestors."""
    return [tree_path[:end] for end in range(Page.steplen, len(tree_path) + 1, Page.steplen)]


def view_restrictions_on(tree_path: str):
    """The restrictions that apply to the page at `tree_path`: its own and every ancestor's, an alias
    standing for its source page. The same set Wagtail's `Page.get_view_restrictions` returns
    (`tests/portal/test_routing.py` compares the two), from the tree path alone."""
    pages = Page.objects.filter(path__in=_tree_paths(tree_path)).annotate(effective=Coalesce("alias_of_id", "id"))
    return PageViewRestriction.objects.filter(page_id__in=pages.values("effective"))


def restrictions_exist_sql(tree_path: str) -> tuple[str, list[str]]:
    """SQL (and its parameters) for: `view_restrictions_on(tree_path)` exists. Written by hand for
    the remembered-route check, which runs on every page view."""
    paths = _tree_paths(tree_path)
    restriction, page = PageViewRestriction._meta.db_table, Page._meta.db_table
    placeholders = ", ".join(["%s"] * len(paths))
    # Only table names from model metadata are formatted in; the paths are parameters.
    sql = (
        f'EXISTS (SELECT 1 FROM "{restriction}" "r" INNER JOIN "{page}" "a" '  # noqa: S608
        f'ON "r"."page_id" = COALESCE("a"."alias_of_id", "a"."id") WHERE "a"."path" IN ({placeholders}))'
    )
    return sql, paths


class ViewRestrictionsInOneQuery:
    """Wagtail reads a page's ancestors and then their view restrictions: two queries on every page
    view. The ancestors' paths follow from the page's own tree path, so one query does both; and a
    page loaded by a remembered route (portal/routing.py) already knows, from the same query that
    loaded it, whether there are any at all."""

    def get_view_restrictions(self):
        if getattr(self, "_has_view_restrictions", None) is False:
            return PageViewRestriction.objects.none()
        return view_restrictions_on(self.path)
