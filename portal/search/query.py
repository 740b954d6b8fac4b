import unicodedata

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, PageViewRestriction
from wagtail.search import models as search_models
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Phrase, PlainText

from .indexing import JapaneseSearchable
from .segment import fold, is_prefix_phrase, query_phrases, runs


def searchable_page_models() -> list[type[Page]]:
    return [m for m in apps.get_models() if issubclass(m, Page) and issubclass(m, JapaneseSearchable)]


def build_query(text: str):
    """The query as a Wagtail search query object (for `.search()` on a queryset), or None."""
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


def search_pages(user, text: str) -> "SearchResults":
    """Pages the user may see that contain `text`, best matches first (count it, slice it, iterate it)."""
    return SearchResults(visible_pages(user), query_phrases(text))


class SearchResults:
    """The pages matching some segmented phrases, best first, loaded one slice at a time.

    Wagtail's database backends rank every hit before slicing, and on SQLite with a ranking
    subquery per hit: about 2 s for a word on a quarter of 5,000 pages. Here the database counts
    the hits in one statement and ranks them in another that returns only the ids of the slice
    asked for (what a Paginator needs); only the pages of that slice are loaded, as specific pages.

    The index entry's `body` holds the segmented title and text (`JapaneseSearchable`), so it
    alone is matched and ranked; the `title` column is Wagtail's unsegmented title. Matching
    `body` lets PostgreSQL use its GIN index and read only the entries that match.
    """

    def __init__(self, pages, phrases: list[str]):
        self.pages = pages
        self.phrases = phrases

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise IndexError("negative indexing is not supported")
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step is not None or (key.start or 0) < 0 or (key.stop is not None and key.stop < 0):
            raise ValueError("only slices with non-negative bounds and no step are supported")
        start = key.start or 0
        if not self.phrases or (key.stop is not None and key.stop <= start):
            return []
        ids = self._ranked_ids(start, key.stop)
        by_id = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
        return [by_id[pk] for pk in ids if pk in by_id]

    @cached_property
    def _count(self) -> int:
        if not self.phrases:
            return 0
        sql, params, _ = self._matches()
        with connections[self.pages.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {sql}", params)
            return cursor.fetchone()[0]

    def _ranked_ids(self, start: int, stop: int | None) -> list[int]:
        sql, params, score = self._matches()
        if stop is not None:
            limit = f"LIMIT {int(stop - start)}"
        else:
            limit = "LIMIT -1" if connections[self.pages.db].vendor == "sqlite" else "LIMIT ALL"
        # Among equal matches, the newest page first.
        order = f"{score}, CAST(entry.object_id AS INTEGER) DESC"
        sql = f"SELECT entry.object_id {sql} ORDER BY {order} {limit} OFFSET {int(start)}"
        with connections[self.pages.db].cursor() as cursor:
            cursor.execute(sql, params)
            return [int(object_id) for (object_id,) in cursor.fetchall()]

    def _matches(self) -> tuple[str, list, str]:
        """FROM and WHERE of the index entries of visible pages whose body contains every phrase,
        their parameters, and the ORDER BY term that puts the best match first."""
        connection = connections[self.pages.db]
        entries = search_models.IndexEntry._meta.db_table
        content_types = [ct.pk for ct in ContentType.objects.get_for_models(*searchable_page_models()).values()]
        # The entry's object_id is text: compare it with the page id as text.
        visible = self.pages.order_by().annotate(key=Cast("pk", output_field=CharField())).values("key")
        visible_sql, visible_params = visible.query.get_compiler(connection=connection).as_sql()
        types = ", ".join(str(int(pk)) for pk in content_types)
        where = f"entry.content_type_id IN ({types}) AND entry.object_id IN ({visible_sql})"
        if connection.vendor == "sqlite":
            fts = search_models.SQLiteFTSIndexEntry._meta.db_table
            # An FTS5 query: each phrase double-quoted (quotes doubled inside), all required, in `body`.
            # A one-character phrase is a prefix query ("閲" *): the bigrams starting with it.
            match = (
                "{body} : ("
                + " AND ".join(
                    '"' + p.replace('"', '""') + '"' + (" *" if is_prefix_phrase(p) else "") for p in self.phrases
                )
                + ")"
            )
            return (
                f"FROM {fts} JOIN {entries} AS entry ON {fts}.rowid = entry.id WHERE {fts} MATCH %s AND {where}",
                [match, *visible_params],
                f"bm25({fts}) ASC",  # lower is better
            )
        if connection.vendor == "postgresql":
            config = getattr(get_search_backend(), "config", None) or "simple"
            query = " && ".join(
                "to_tsquery(%s::regconfig, %s)" if is_prefix_phrase(p) else "phraseto_tsquery(%s::regconfig, %s)"
                for p in self.phrases
            )
            # A one-character CJK phrase has no quote or operator in it; as a prefix lexeme: '閲':*.
            params = [
                value
                for phrase in self.phrases
                for value in (config, f"'{phrase}':*" if is_prefix_phrase(phrase) else phrase)
            ]
            return (
                f"FROM {entries} AS entry, (SELECT {query} AS query) AS search WHERE entry.body @@ query AND {where}",
                [*params, *visible_params],
                "ts_rank(entry.body, query) DESC",
            )
        raise NotImplementedError(f"site search supports SQLite and PostgreSQL, not {connection.vendor}")


def excerpt(page, text: str, width: int = 80) -> SafeString:
    """A stretch of the page's text around the first match of the query, the matched words in <mark>.

    Matching is done on the folded text (kana, width and case, as the index does), and marked on
    the text as shown; everything else is escaped.
    """
    # NFKC of the shown text first: folding it afterwards keeps every position (see segment.fold).
    body = unicodedata.normalize("NFKC", " ".join(page.search_text().split()))
    folded = fold(body)
    matches = _match_spans(folded, runs(text)) if len(folded) == len(body) else []
    if not matches:
        return format_html("{}{}", body[:width], "…" if len(body) > width else "")
    start = max(0, matches[0][0] - width // 3)
    end = min(len(body), start + width)
    parts, at = [], start
    for match_start, match_end in matches:
        if match_start < at or match_end > end:
            continue  # overlaps a mark already made, or runs past the excerpt
        parts.append(format_html("{}<mark>{}</mark>", body[at:match_start], body[match_start:match_end]))
        at = match_end
    parts.append(conditional_escape(body[at:end]))
    return format_html("{}{}{}", "…" if start else "", mark_safe("".join(parts)), "…" if end < len(body) else "")  # noqa: S308 - each part is escaped above


def _match_spans(folded: str, words: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of each query word in `folded`, in order of position."""
    spans = []
    for word in set(words):
        at = folded.find(word)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = folded.find(word, at + len(word))
    return sorted(spans)
