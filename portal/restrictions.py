"""Page view restrictions, read in one query (or none)."""

from django.db.models.functions import Coalesce
from wagtail.models import Page, PageViewRestriction


def view_restrictions_on(tree_path: str):
    """The restrictions that apply to the page at `tree_path`: its own and every ancestor's, an alias
    standing for its source page. The same set Wagtail's `Page.get_view_restrictions` returns
    (`tests/portal/test_routing.py` compares the two), from the tree path alone."""
    steplen = Page.steplen
    paths = [tree_path[:end] for end in range(steplen, len(tree_path) + 1, steplen)]
    pages = Page.objects.filter(path__in=paths).annotate(effective=Coalesce("alias_of_id", "id"))
    return PageViewRestriction.objects.filter(page_id__in=pages.values("effective"))


class ViewRestrictionsInOneQuery:
    """Wagtail reads a page's ancestors and then their view restrictions: two queries on every page
    view. The ancestors' paths follow from the page's own tree path, so one query does both; and a
    page loaded by a remembered route (portal/routing.py) already knows, from the same query that
    loaded it, whether there are any at all."""

    def get_view_restrictions(self):
        if getattr(self, "_has_view_restrictions", None) is False:
            return PageViewRestriction.objects.none()
        return view_restrictions_on(self.path)
