"""The site search index, a table of the project's own (not Wagtail's search backend).

One row per live page of a searchable kind (`indexing.JapaneseSearchable`): its title and text
segmented and folded (`segment.segment`). `indexing.index_page` writes a row when a page is
published and removes it when the page is unpublished; deleting a page deletes its row.

The fast path lives beside the table, made by migration `portal/0007`:
- PostgreSQL: `vector`, the tsvector of `body` (config `simple`), written by a trigger on every
  insert and update, with a GIN index. Stored rather than an expression index, because ranking
  (`ts_rank`) reads the vector of every hit and computing it again costs about 0.3 ms per page.
  On SQLite the column stays empty.
- SQLite: the FTS5 table `portal_searchentry_fts` (model `SearchEntryText`), an external-content
  index over `body`, kept in step with the table by triggers. A later migration that makes Django
  rebuild `portal_searchentry` on SQLite (altering a column) drops the triggers and must make them
  again (`portal/migrations/0007_search_entry.py`).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("page")
    )
    body = models.TextField(verbose_name=_("segmented text"))
    # The text as shown, for the excerpts of a results page (`query.excerpt`), so that listing 15
    # results reads 15 short rows instead of building each page's text again from its blocks and
    # child rows. Nullable because adding a NOT NULL column makes Django rebuild the table on
    # SQLite, which would drop the FTS triggers (see above); every entry written has it.
    text = models.TextField(null=True, editable=False, verbose_name=_("text as shown"))
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only, from `body` by a trigger

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self):
        return f"search entry {self.page_id}"


class SearchEntryText(models.Model):
    """SQLite only: the FTS5 index over `SearchEntry.body`, row for row (its rowid is the page id).
    Read by `query.py`; written by the triggers, never through this model."""

    rowid = models.IntegerField(primary_key=True, db_column="rowid")
    body = models.TextField()

    class Meta:
        managed = False
        db_table = "portal_searchentry_fts"

    def __str__(self):
        return f"search text {self.rowid}"
