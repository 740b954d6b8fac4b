from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.search import index

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
