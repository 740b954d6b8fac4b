"""Page view restrictions, read in one query."""

from django.db.models.functions import Coalesce
from wagtail.models import Page, PageViewRestriction


class ViewRestrictionsInOneQuery:
    """Wagtail reads a page's ancestors and then their view restrictions: two queries on every page
    view. The ancestors' paths follow from the page's own tree path, so one query can do both.

    The result is the same set Wagtail's `Page.get_view_restrictions` returns: restrictions on this
    page and every ancestor, an alias standing for its source page
    (`tests/portal/test_routing.py` compares the two).
    """

    def get_view_restrictions(self):
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        pages = Page.objects.filter(path__in=paths).annotate(effective=Coalesce("alias_of_id", "id"))
        return PageViewRestriction.objects.filter(page_id__in=pages.values("effective"))
