import unicodedata

from django.apps import apps
from django.db.models import Q
from wagtail.models import Page, PageViewRestriction
from wagtail.search.query import And, Phrase, PlainText

from .indexing import JapaneseSearchable
from .segment import normalise, query_phrases


def searchable_page_models() -> list[type[Page]]:
    return [m for m in apps.get_models() if issubclass(m, Page) and issubclass(m, JapaneseSearchable)]


def build_query(text: str):
    phrases = query_phrases(text)
    if not phrases:
        return None
    parts = [Phrase(p) if " " in p else PlainText(p) for p in phrases]
    return parts[0] if len(parts) == 1 else And(parts)


def visible_pages(user):
    """Live pages of the searchable kinds minus those behind a view restriction the user fails."""
    pages = Page.objects.live().type(*searchable_page_models())
    hidden = Q()
    group_ids = set(user.groups.values_list("pk", flat=True)) if user.is_authenticated else set()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        if not _restriction_admits(restriction, user, group_ids):
            hidden |= Q(path__startswith=restriction.page.path)
    return pages.exclude(hidden) if hidden else pages


def _restriction_admits(restriction: PageViewRestriction, user, group_ids: set[int]) -> bool:
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return user.is_authenticated
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        wanted = {g.pk for g in restriction.groups.all()}
        return bool(wanted & group_ids)
    # Password restrictions need the password on the page itself; never list such pages.
    return False


def search_pages(user, text: str):
    """Pages the user may see that contain `text`, best matches first."""
    query = build_query(text)
    if query is None:
        return Page.objects.none()
    return visible_pages(user).specific().search(query)


def excerpt(page, text: str, width: int = 80) -> str:
    """A stretch of the page's text around the first occurrence of the query."""
    # NFKC without lower-casing keeps positions aligned between the shown and searched text.
    body = unicodedata.normalize("NFKC", " ".join(page.search_text().split()))
    needle = normalise(text).strip()
    at = body.lower().find(needle) if needle else -1
    if at < 0:
        return body[:width] + ("…" if len(body) > width else "")
    start = max(0, at - width // 3)
    end = min(len(body), start + width)
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
