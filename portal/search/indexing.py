"""Which pages site search covers, and the index of their text (`models.SearchEntry`).

The page models import this module, which brings in the index's model and connects the receivers
that keep it in step with publishing: publishing a page (also a copy or an alias) writes its entry
in the same transaction, unpublishing removes it, and deleting a page deletes its entry with it
(the foreign key cascades). The search reads live pages only in any case.
"""

import unicodedata

from django.apps import apps
from django.db import transaction
from django.dispatch import receiver
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from wagtail.models import Page
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished

from .models import SearchEntry
from .segment import segment


class JapaneseSearchable(index.Indexed):
    """Mixin for page models that site search covers.

    Subclasses return their readable text from `search_text()`; the index holds its
    segmented form (see `portal.search.segment`).
    """

    search_fields = Page.search_fields + [
        index.SearchField("segmented_title"),
        index.SearchField("segmented_text"),
    ]

    # A short label for the kind of page, shown beside each search result.
    search_kind_label = ""

    def search_text(self) -> str:
        return ""

    def segmented_title(self) -> str:
        return segment(self.title)

    def segmented_text(self) -> str:
        return segment(self.search_text())


def streamfield_text(stream) -> str:
    """Readable text of a StreamField value, tags removed."""
    parts = []
    for block in stream:
        for piece in block.block.get_searchable_content(block.value):
            parts.append(strip_tags(str(piece)))
    return "\n".join(p for p in parts if p)


def searchable_page_models() -> list[type[Page]]:
    return [m for m in apps.get_models() if issubclass(m, Page) and issubclass(m, JapaneseSearchable)]


def is_searchable(page) -> bool:
    return isinstance(page, JapaneseSearchable)


def shown_text(page: JapaneseSearchable) -> str:
    """The page's text as search excerpts quote it: NFKC-normalised, whitespace collapsed (NFKC
    first, so that folding it later keeps every position, see `segment.fold`)."""
    return unicodedata.normalize("NFKC", " ".join(page.search_text().split()))


def new_entry(page: JapaneseSearchable) -> SearchEntry:
    return SearchEntry(page_id=page.pk, body=entry_body(page), text=shown_text(page))


def entry_body(page: JapaneseSearchable) -> str:
    """What the index holds for a page: its segmented, folded title and text."""
    return f"{segment(page.title)}\n{segment(page.search_text())}"


def index_page(page) -> None:
    """Bring the page's search entry up to date: written for a live searchable page, removed otherwise.

    An alias is not indexed: its source is, and a result leads there once (an alias elsewhere in
    the tree would also dodge the view restrictions of its source's place, which it follows).
    """
    page = page.specific
    if page.live and is_searchable(page) and page.alias_of_id is None:
        entry = new_entry(page)
        SearchEntry.objects.update_or_create(page_id=page.pk, defaults={"body": entry.body, "text": entry.text})
    else:
        remove_page(page)


def remove_page(page) -> None:
    SearchEntry.objects.filter(page_id=page.pk).delete()


def rebuild_index(batch_size: int = 500) -> int:
    """Every live searchable page's entry written afresh, and no other entries; returns how many."""
    written = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for model in searchable_page_models():
            # Only the pages of exactly this kind: a subclass's pages are written as that subclass.
            pages = model.objects.live().exact_type(model).filter(alias_of__isnull=True).order_by("pk")
            # The page's own child rows (Q&A items, a case's causes …) that `search_text()` reads.
            children = [
                r.get_accessor_name()
                for r in model._meta.related_objects
                if r.model is model and isinstance(r.field, ParentalKey)
            ]
            pages = pages.prefetch_related(*children)
            batch = []
            for page in pages.iterator(chunk_size=batch_size):
                batch.append(new_entry(page))
                if len(batch) >= batch_size:
                    written += len(SearchEntry.objects.bulk_create(batch))
                    batch = []
            written += len(SearchEntry.objects.bulk_create(batch))
    return written


@receiver(page_published, dispatch_uid="portal.search.page_published")
def page_was_published(sender, instance, **kwargs):
    index_page(instance)


@receiver(page_unpublished, dispatch_uid="portal.search.page_unpublished")
def page_was_unpublished(sender, instance, **kwargs):
    remove_page(instance)
