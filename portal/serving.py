"""Finding the page for a URL in two queries, whatever its depth, through Wagtail's public `route()`.

Wagtail's default `Page.route()` walks the URL one level at a time: for each slug it loads the
child, then loads it again as its specific type, so a rule page two levels below home costs five
queries before anything is rendered. The site's root page overrides `route()` with
`route_below()`, which reads the URL path of every page on the way in one small query (only the
columns it needs), loads the page it ends at as its specific type, and hands over to that page's
own `route()` for the rest. The result is the one Wagtail's walk gives:
- a page whose type routes its own sub-paths (`RoutablePageMixin`, any `route()` override) gets
  the remaining components, as it would from the walk;
- a slug with no page under it is a 404, and the page at the end must be live (its own `route()`
  checks), while the pages above it need not be, as in Wagtail.

Which page an address leads to is then cached under the published-pages generation, which every
publish, unpublish, move and delete renews (a slug or a parent changes only through those), so
a page read the second time costs one query: the page itself, loaded afresh (its `route()`
still decides whether it is live). Addresses that lead nowhere are not cached.
"""

import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import fragments

# Fragments that show other pages' titles and links (a case's rules and Q&A, say) and the
# addresses of pages key on this generation: any page published, unpublished, moved or deleted
# renews it. Publishing is rare beside reading, so a coarse signal costs little and misses nothing.
PUBLISHED_PAGES = "portal-published-pages"
ROUTES_TTL = 10 * 60


@receiver([page_published, page_unpublished, post_page_move])
@receiver(post_delete, sender=Page)
def pages_changed(**kwargs) -> None:
    fragments.renew(PUBLISHED_PAGES)


def route_below(root: Page, request, path_components: list[str]):
    """The `RouteResult` for `path_components` below `root` (raises Http404 like `Page.route`)."""
    if not path_components:
        return Page.route(root, request, path_components)
    address = hashlib.sha256("/".join(path_components).encode()).hexdigest()
    pk, content_type_id, consumed = fragments.cached(
        PUBLISHED_PAGES, f"portal:route:{root.pk}:{address}", lambda: _page_at(root, path_components), ROUTES_TTL
    )  # `_page_at` raises Http404 for an address that leads nowhere: nothing is cached
    model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
    try:
        page = model.objects.get(pk=pk)
    except model.DoesNotExist:  # deleted since (its deletion renews the generation)
        raise Http404 from None
    return page.route(request, path_components[consumed:])


def _page_at(root: Page, path_components: list[str]) -> tuple[int, int, int]:
    """(pk, content type id, components consumed) of the page Wagtail's walk stops at."""
    prefixes = [root.url_path + "/".join(path_components[:depth]) + "/" for depth in range(1, len(path_components) + 1)]
    # `url_path` is derived from the slugs, so it names the same page the walk would reach;
    # keeping to the root's descendants guards against another tree's pages.
    chain = {
        row["url_path"]: row
        for row in Page.objects.filter(url_path__in=prefixes, path__startswith=root.path, depth__gt=root.depth)
        .order_by()
        .values("pk", "url_path", "content_type_id")
    }
    for consumed, prefix in enumerate(prefixes, start=1):  # noqa: B007 - read after the loop
        row = chain.get(prefix)
        if row is None:
            raise Http404
        model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
        if model is None or model.route is not Page.route:
            break  # this page routes what lies below it itself (or its type is gone: let Wagtail decide)
    return row["pk"], row["content_type_id"], consumed


# The view restrictions of the whole site: a handful, changed a few times a year. Without one on
# the way down (most pages), serving a page needs no look at them at all, and search reads which
# pages to leave out from here too.
# Kept under a generation (`portal.fragments`) that every change renews when it commits: a list
# read before the change, even one stored after it, sits under the old generation and is never
# read again, so no reader is shown a page that has just been restricted.
RESTRICTIONS = "portal-view-restrictions"
RESTRICTIONS_TTL = 10 * 60


@dataclass(frozen=True)
class Restriction:
    path: str  # of the restricted page: the restriction covers it and every page below it
    restriction_type: str
    group_ids: frozenset[int]

    def admits(self, user, group_ids: set[int]) -> bool:
        """Whether `user` (in `group_ids`) may see the pages it covers without giving a password."""
        if self.restriction_type == PageViewRestriction.LOGIN:
            return user.is_authenticated
        if self.restriction_type == PageViewRestriction.GROUPS:
            return bool(self.group_ids & group_ids)
        return False  # a password restriction needs the password, given on the page itself


def view_restrictions() -> list[Restriction]:
    return fragments.cached(RESTRICTIONS, "portal:view-restrictions", read_view_restrictions, RESTRICTIONS_TTL)


def read_view_restrictions() -> list[Restriction]:
    return [
        Restriction(r.page.path, r.restriction_type, frozenset(group.pk for group in r.groups.all()))
        for r in PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    ]


@receiver([post_save, post_delete], sender=PageViewRestriction)
@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
@receiver(post_page_move)  # the paths below the moved page changed
def view_restrictions_changed(**kwargs) -> None:
    fragments.renew(RESTRICTIONS)


class ViewRestrictionsReadOnce:
    """Mixin for page models: serving a page reads its view restrictions at most once.

    Serving a page asks for them twice, in Wagtail's own `before_serve_page` check and in the
    portal's (`wagtail_hooks.refuse_restricted_pages_with_404`), two queries each. A page with no
    restricted page above it or at it (`view_restrictions`) has none, which takes no query (an
    empty queryset); otherwise Wagtail's answer is read once and kept on the page object, which
    lives for one request. Either way it is a queryset: a caller that filters or orders it still
    gets a fresh query. An alias follows its source's restrictions, so it always asks Wagtail.
    """

    @cached_property
    def view_restrictions_read(self):
        if self.alias_of_id is None and not any(self.path.startswith(r.path) for r in view_restrictions()):
            return PageViewRestriction.objects.none()
        restrictions = super().get_view_restrictions()
        len(restrictions)  # evaluate now, so that iterating it again reads the result kept
        return restrictions

    def get_view_restrictions(self):
        return self.view_restrictions_read
