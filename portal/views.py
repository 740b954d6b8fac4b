from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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
        for page in results:
            page.search_excerpt = excerpt(found.text_of(page), query)
    return render(request, "portal/search.html", {"query": query, "results": results})
