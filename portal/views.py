from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from .search.query import excerpt, search_pages

RESULTS_PER_PAGE = 20


@login_not_required
@never_cache
def healthz(request):
    """For load balancers: 200 when this process can reach the database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
@never_cache
def liveness(request):
    """For orchestrators: the process answers. No database, so it is also the cheapest Django view."""
    return HttpResponse("ok", content_type="text/plain")


def search(request):
    # Control characters (NUL and the like) are never part of a search and are not valid in HTML.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch.isspace()).strip()[:200]
    results = None
    if query:
        found = search_pages(request.user, query)
        results = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        one_site = len({root.site_id for root in Site.get_site_root_paths()}) == 1
        for page in results:
            page.search_excerpt = excerpt(found.text_of(page), query)
            page.search_kind_label = getattr(page.specific_class, "search_kind_label", "")
            # What `page.url` gives, but the site root paths are read once for the whole list
            # (cached on the request by `get_url_parts`) instead of once per result.
            _site_id, root_url, path = page.get_url_parts(request) or (None, None, None)
            page.search_url = path if one_site or path is None else root_url + path
    return render(request, "portal/search.html", {"query": query, "results": results})
