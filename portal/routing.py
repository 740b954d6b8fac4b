"""Remembered sites and page routes.

To serve a page Wagtail finds the site for the host name (one query), loads the site's root page
(two queries) and walks down the tree, two queries per level (the child by slug, then its
specific row). Portal pages are read all day and moved rarely, so this middleware remembers
where a path led and hands Wagtail the answer through the per-request caches Wagtail itself
reads (`request._wagtail_site`, `request._wagtail_route_for_request`; see
`Site.find_for_request` and `Page.route_for_request`). Everything after routing, in particular
the view-restriction check and `serve()`, runs unchanged.

A remembered route is checked on every use, in one small query: the page must still be live and
still have exactly the URL path asked for. A page that was moved, renamed, unpublished or deleted
fails the check and Wagtail walks the tree as usual, so routes never need invalidating, whichever
process or server changed the page. The same query reads which revision is live and whether view
restrictions apply (Wagtail's check then skips its queries when none do).

The route's entry also holds the page object, loaded from the database when the entry is first
used and used for as long as its revision is the live one, at most `PAGE_TTL` seconds. Each copy
put in the cache carries a fresh `cache_stamp`: what is derived from a cached page (a shared
rendering, see shared_pages.py) is keyed by the stamp, so `forget_pages()` forgets it as well.
Apps call that when something a page shows, but its revision does not hold, has changed (the
casebook: which cases broke a rule). Sites change about never; each process remembers them for
`SITE_TTL` seconds at most, and forgets them at once when it saves or deletes one itself.

Only plain pages are remembered: a page class that routes further itself (RoutablePageMixin) or
a route with view arguments always takes the normal walk. No page between a site root and a
remembered page may override `route()`; none in this project does.
"""

import hashlib
import pickle
import secrets
import time

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from .process_memory import Recent
from .restrictions import restrictions_exist_sql

ROUTE_TTL = 60 * 60
PAGE_TTL = 5 * 60
SITE_TTL = 60
MEMO_TTL = 5
MEMO_SIZE = 2000


# Sites are remembered in each process (they change about never, and asking Redis twice per
# request for them costs more than the page's own query): forgotten when a site is saved or
# deleted in this process, and after SITE_TTL seconds in any case. Only allowed host names get
# here, but the memory stays bounded anyway.
_sites = Recent(size=100, ttl=SITE_TTL)


@receiver([post_save, post_delete], sender=Site)
def forget_sites(**kwargs) -> None:
    _sites.clear()


def site_for(request) -> tuple[Site, str] | None:
    """The request's site (as Wagtail would choose it) and its root page's URL path."""
    where = (split_domain_port(request._get_raw_host())[0], request.get_port())
    found = _sites.get(where)
    if found is None:
        site = Site.find_for_request(request)
        if site is None:
            return None
        root_url_path = Page.objects.filter(pk=site.root_page_id).values_list("url_path", flat=True).first()
        found = (_fresh(site), root_url_path)
        _sites.put(where, found)
    return _fresh(found[0]), found[1]


def _fresh(site: Site) -> Site:
    """A copy with nothing loaded through it: the remembered site is shared by threads and
    requests, and Wagtail caches the site's root page on the instance it is given."""
    return Site(**{field.attname: getattr(site, field.attname) for field in Site._meta.concrete_fields})


def _route_key(site: Site, components: list[str]) -> str:
    digest = hashlib.sha256("/".join(components).encode()).hexdigest()
    return f"portal:route:v4:{site.root_page_id}:{digest}"  # v4: the entry holds the page, pickled


def _url_path(root_url_path: str, components: list[str]) -> str:
    return root_url_path + "".join(f"{component}/" for component in components)


def _still_there(page_id: int, url_path: str, tree_path: str) -> tuple[int | None, bool] | None:
    """One small query: is the page still live at this URL and tree path, which revision is live,
    and do view restrictions apply to it (its own or an ancestor's)? None when it is not there."""
    restricted, params = restrictions_exist_sql(tree_path)
    table = Page._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "live_revision_id", {restricted} FROM "{table}" '  # noqa: S608 (table name from metadata)
            'WHERE "id" = %s AND "live" = %s AND "url_path" = %s AND "path" = %s',
            [*params, page_id, True, url_path, tree_path],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], bool(row[1]))


@receiver(post_save)
def _forget_saved_page(sender, instance, **kwargs) -> None:
    # Content changes through revisions, and a new live revision fails the route check; this
    # catches a page saved directly (scripts, loaders) without one.
    if isinstance(instance, Page) and instance.live:
        forget_pages([instance])


def forget_pages(pages) -> None:
    """Drop the cached copies of these pages, and with them what was derived from the copies.

    At once in this process and the shared cache; other processes may use the copy they hold in
    memory for up to `MEMO_TTL` seconds more."""
    keys = []
    for site in Site.objects.select_related("root_page").only("root_page__path", "root_page__url_path"):
        root = site.root_page
        for page in pages:
            if page.path.startswith(root.path) and page.url_path.startswith(root.url_path):
                components = [c for c in page.url_path[len(root.url_path) :].split("/") if c]
                keys.append(_route_key(site, components))
    for key in keys:
        _routes.pop(key)
    if keys:
        cache.delete_many(keys)


# The route entries this process used in the last MEMO_TTL seconds: a popular page is read many
# times a second, and each use checks the database anyway; only a change that is not a new
# revision (forget_pages) reaches the other processes that much later.
_routes = Recent(size=MEMO_SIZE, ttl=MEMO_TTL)


def _entry(key: str) -> tuple | None:
    entry = _routes.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _routes.put(key, entry)
    return entry


def _load(page_id: int, content_type_id: int) -> Page | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return model.objects.filter(pk=page_id, live=True).first() if model else None


def remembered(site: Site, root_url_path: str, components: list[str]) -> RouteResult | None:
    key = _route_key(site, components)
    found = _entry(key)
    if found is None:
        return None
    content_type_id, page_id, tree_path, cached_revision_id, pickled_page, stamped_at = found
    current = _still_there(page_id, _url_path(root_url_path, components), tree_path)
    if current is None:
        return None
    live_revision_id, restricted = current
    if pickled_page is None or live_revision_id != cached_revision_id or time.time() - stamped_at > PAGE_TTL:
        page = _load(page_id, content_type_id)
        if page is None:
            return None
        if live_revision_id and page.live_revision_id == live_revision_id:
            page.cache_stamp = secrets.token_hex(8)  # only a copy that is kept has a stamp
            pickled = pickle.dumps(page, pickle.HIGHEST_PROTOCOL)
            entry = (content_type_id, page_id, tree_path, live_revision_id, pickled, time.time())
            cache.set(key, entry, ROUTE_TTL)
            _routes.put(key, entry)
    else:
        # Each request gets its own copy: serving a page sets attributes on it. Pickled by this
        # portal (it came through the cache, as every cached value does).
        page = pickle.loads(pickled_page)  # noqa: S301 - our own cache entry
    page._has_view_restrictions = restricted
    return RouteResult(page)


def remember(site: Site, root_url_path: str, components: list[str], result: RouteResult) -> None:
    page = result.page
    if result.args or result.kwargs or type(page).route is not Page.route:
        return
    if page.url_path != _url_path(root_url_path, components):
        return
    # The page itself is loaded afresh on the route's first use: the walk's copy has been served.
    entry = (page.content_type_id, page.pk, page.path, None, None, 0.0)
    cache.set(_route_key(site, components), entry, ROUTE_TTL)


class RememberedRoutesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_portal_route_to_remember", None)
        result = getattr(request, "_wagtail_route_for_request", None)
        if pending and result is not None:
            remember(*pending, result)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or not view_args:
            return None
        found = site_for(request)
        if found is None:
            return None
        site, root_url_path = found
        request._wagtail_site = site
        components = [component for component in view_args[0].split("/") if component]
        if not components:
            return None  # the home page: Wagtail finds it without a walk
        result = remembered(site, root_url_path, components)
        if result is not None:
            request._wagtail_route_for_request = result
        else:
            request._portal_route_to_remember = (site, root_url_path, components)
        return None
