import functools
import operator

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from ..serving import view_restrictions
from .indexing import searchable_page_models, shown_text
from .models import SearchEntry, SearchEntryText
from .segment import fold, is_prefix_phrase, query_phrases, runs

SEARCH_CONFIG = "simple"  # no stemming or stop words: the index holds bigrams and folded words


def visible_pages(user):
    """Live pages of the searchable kinds (not aliases, see `indexing.index_page`) minus those behind a
    view restriction the user fails."""
    pages = Page.objects.live().type(*searchable_page_models()).filter(alias_of__isnull=True)
    hidden = Q()
    # `.all()`, not `values_list`: the person of a request comes with their groups (people.queries).
    group_ids = {group.pk for group in user.groups.all()} if user.is_authenticated else set()
    for restriction in view_restrictions():
        if not restriction.admits(user, group_ids):
            hidden |= Q(path__startswith=restriction.path)
    return pages.exclude(hidden) if hidden else pages


def search_pages(user, text: str) -> "SearchResults":
    """Pages the user may see that contain `text`, best matches first (count it, slice it, iterate it)."""
    return SearchResults(visible_pages(user), query_phrases(text))


def matching_page_ids(pages, text: str) -> set[int]:
    """The ids of those of `pages` (a page queryset) that contain `text`, unranked."""
    return set(SearchResults(pages, query_phrases(text)).matches().values_list("pk", flat=True))


class SearchResults:
    """The pages matching some segmented phrases, best first, loaded one slice at a time.

    The matching is done on the project's own index (`models.SearchEntry`): the database counts
    the hits in one statement and ranks them in another that returns only the ids of the slice
    asked for (what a Paginator needs); only the pages of that slice are loaded, as specific pages
    (generic fields only).
    `matches()` is the one place the index is queried: on PostgreSQL a full-text match of the
    entries (the GIN index on their tsvector), on SQLite an FTS5 match of its index table.
    """

    def __init__(self, pages, phrases: list[str]):
        self.pages = pages
        self.phrases = phrases
        self.texts: dict[int, str | None] = {}

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
        ranked = self.matches(ranked=True)
        if ranked.model is SearchEntry:  # PostgreSQL: the entries themselves, their text with them
            found = list(ranked.values_list("pk", "text")[start : key.stop])
            ids = [pk for pk, _text in found]
            self.texts.update(found)
        else:  # SQLite: the FTS table holds only the segmented text
            ids = list(ranked.values_list("pk", flat=True)[start : key.stop])
            self.texts.update(SearchEntry.objects.using(self.pages.db).filter(pk__in=ids).values_list("pk", "text"))
        # As plain pages: a result shows its title, URL, the entry's text and its type's kind label
        # (`page.specific_class`), never the page's own fields, so its specific row is not read.
        by_id = {page.pk: page for page in Page.objects.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def text_of(self, page) -> str:
        """A loaded result's text as shown, from its index entry (what `excerpt` quotes)."""
        text = self.texts.get(page.pk)
        # An entry written before its text was kept (portal 0009 writes them all again).
        return shown_text(page.specific) if text is None else text

    @cached_property
    def _count(self) -> int:
        return self.matches().count() if self.phrases else 0

    def matches(self, ranked: bool = False):
        """The index rows of the visible pages that contain every phrase (their `pk` is the page id),
        best match first when `ranked` (among equal matches, the newest page first)."""
        visible = self.pages.order_by().values("pk")
        vendor = connections[self.pages.db].vendor
        if not self.phrases:
            return SearchEntry.objects.none()
        if vendor == "postgresql":
            return self._postgresql(visible, ranked)
        if vendor == "sqlite":
            return self._sqlite(visible, ranked)
        raise NotImplementedError(f"site search supports SQLite and PostgreSQL, not {vendor}")

    def _postgresql(self, visible, ranked: bool):
        # A one-character CJK phrase has no quote or operator in it; as a prefix lexeme: '閲':*.
        queries = [
            SearchQuery(f"'{p}':*", search_type="raw", config=SEARCH_CONFIG)
            if is_prefix_phrase(p)
            else SearchQuery(p, search_type="phrase", config=SEARCH_CONFIG)
            for p in self.phrases
        ]
        query = functools.reduce(operator.and_, queries)
        entries = SearchEntry.objects.using(self.pages.db).filter(page_id__in=visible, vector=query)
        if ranked:
            entries = entries.order_by(SearchRank(F("vector"), query).desc(), "-pk")
        return entries

    def _sqlite(self, visible, ranked: bool):
        # An FTS5 query: each phrase double-quoted (quotes doubled inside), all required.
        # A one-character phrase is a prefix query ("閲" *): the bigrams starting with it.
        match = " AND ".join(
            '"' + p.replace('"', '""') + '"' + (" *" if is_prefix_phrase(p) else "") for p in self.phrases
        )
        table = SearchEntryText._meta.db_table
        # Only our own FTS table's name is formatted in; the query is a parameter.
        # `rowid + 0`: a plain `rowid IN (…)` is handed to FTS5 as one lookup per visible page
        # (each running the whole match again), 50 times slower than matching once and filtering.
        entries = (
            SearchEntryText.objects.using(self.pages.db)
            .alias(page_id=F("pk") + 0)
            .filter(RawSQL(f'"{table}" MATCH %s', [match], output_field=BooleanField()), page_id__in=visible)  # noqa: S611
        )
        if ranked:
            entries = entries.order_by(RawSQL(f'bm25("{table}")', []), "-pk")  # noqa: S611 - lower is better
        return entries


def excerpt(body: str, text: str, width: int = 80) -> SafeString:
    """A stretch of a page's text as shown (`indexing.shown_text`) around the first match of the
    query `text`, the matched words in <mark>.

    Matching is done on the folded text (kana, width and case, as the index does), and marked on
    the text as shown; everything else is escaped.
    """
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
