"""The portal's content pages: home, conduct rules, Q&A and news."""

import secrets

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import fragments
from .blocks import RICH_TEXT_FEATURES, Audience, BodyStreamBlock
from .search.indexing import JapaneseSearchable, streamfield_text
from .serving import PUBLISHED_PAGES, ViewRestrictionsReadOnce, route_below


def lazy_list(build) -> SimpleLazyObject:
    """A list built only if a template reads it."""
    return SimpleLazyObject(build)


def hook_panels(hook_name: str, request, **kwargs) -> list:
    """Collect what other apps contribute to a page through a Wagtail hook (they import us, not the reverse)."""
    panels = []
    for fn in hooks.get_hooks(hook_name):
        panel = fn(request, **kwargs)
        if panel:
            panels.append(panel)
    return panels


class HomePage(ViewRestrictionsReadOnce, Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        # The site's root: every URL of the portal's pages is found from here in two queries.
        return route_below(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().order_by("-date", "-pk")
        # Read only when the cached fragments (see the template) are rendered again.
        context["news_generation"] = fragments.generation(NEWS_FRAGMENTS)
        context["top_messages"] = news.filter(kind=NewsPage.Kind.TOP_MESSAGE)[:2]
        context["news"] = news.filter(kind=NewsPage.Kind.NEWS)[:5]
        context["panels"] = hook_panels("portal_home_panels", request)
        return context


class RuleIndexPage(ViewRestrictionsReadOnce, Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["portal.RulePage"]
    parent_page_types = ["portal.HomePage"]

    class Meta:
        verbose_name = _("rule index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["rules"] = RulePage.objects.child_of(self).live().public().order_by("path")
        return context


class RulePage(ViewRestrictionsReadOnce, JapaneseSearchable, Page):
    """A conduct rule explained: what it says, why it exists, what it means for each department."""

    summary = models.TextField(verbose_name=_("summary"), help_text=_("One or two sentences shown in lists."))
    legal_basis = models.CharField(max_length=255, blank=True, verbose_name=_("legal basis"))
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"))
    related = StreamField(
        [("page", blocks.PageChooserBlock(page_type=["portal.RulePage", "portal.QAPage"], label=_("Page")))],
        blank=True,
        verbose_name=_("related rules and Q&A"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("legal_basis"),
        FieldPanel("body"),
        FieldPanel("related"),
    ]
    parent_page_types = ["portal.RuleIndexPage"]
    subpage_types = []
    search_kind_label = _("Conduct rule")

    class Meta:
        verbose_name = _("rule page")

    def search_text(self) -> str:
        return "\n".join([self.summary, self.legal_basis, streamfield_text(self.body)])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        mine = Audience.of(request.user)
        context["my_audiences"] = mine
        context["audience_key"] = Audience.cache_key(mine)
        # Sections for the reader's own department come first, marked as theirs. Read only when the
        # cached body (see the template) has to be rendered again.
        context["my_sections"] = lazy_list(
            lambda: [b for b in self.body if b.block_type == "department" and b.value["audience"] in mine]
        )
        context["related_pages"] = lazy_list(lambda: [b.value for b in self.related if b.value and b.value.live])
        context["panels"] = lazy_list(lambda: hook_panels("portal_rule_page_panels", request, page=self))
        return context


class QAIndexPage(ViewRestrictionsReadOnce, Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["portal.QAPage"]
    parent_page_types = ["portal.HomePage"]

    class Meta:
        verbose_name = _("Q&A index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = QAPage.objects.child_of(self).live().public().order_by("path").prefetch_related("items")
        return context


class QAPage(ViewRestrictionsReadOnce, JapaneseSearchable, Page):
    """One topic of questions and answers; each question keeps a stable anchor for links."""

    intro = models.TextField(blank=True, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro"), InlinePanel("items", label=_("Questions"))]
    parent_page_types = ["portal.QAIndexPage"]
    subpage_types = []
    search_kind_label = _("Q&A")

    class Meta:
        verbose_name = _("Q&A page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["pages_generation"] = fragments.generation(PUBLISHED_PAGES)
        return context

    def search_text(self) -> str:
        lines = [self.intro]
        for item in self.items.all():
            lines += [item.question, item.answer_text()]
        return "\n".join(lines)


class QAItem(Orderable):
    page = ParentalKey(QAPage, on_delete=models.CASCADE, related_name="items")
    question = models.CharField(max_length=500, verbose_name=_("question"))
    answer = RichTextField(features=RICH_TEXT_FEATURES, verbose_name=_("answer"))
    anchor = models.SlugField(
        max_length=32,
        blank=True,
        verbose_name=_("anchor"),
        help_text=_("Stable link target (#anchor); filled in automatically and never changed."),
    )

    panels = [FieldPanel("question"), FieldPanel("answer")]

    class Meta(Orderable.Meta):
        verbose_name = _("question and answer")

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = f"q-{secrets.token_hex(4)}"
        super().save(*args, **kwargs)

    def answer_text(self) -> str:
        return strip_tags(self.answer)


class NewsIndexPage(ViewRestrictionsReadOnce, Page):
    subpage_types = ["portal.NewsPage"]
    parent_page_types = ["portal.HomePage"]

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        return context


class NewsPage(ViewRestrictionsReadOnce, JapaneseSearchable, Page):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        TOP_MESSAGE = "top_message", _("Message from management")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NEWS, verbose_name=_("kind"))
    date = models.DateField(default=timezone.localdate, verbose_name=_("date"))
    author = models.CharField(
        max_length=200, blank=True, verbose_name=_("author"), help_text=_("For messages: name and title.")
    )
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("date"),
        FieldPanel("author"),
        FieldPanel("body"),
    ]
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types = []
    search_kind_label = _("News")

    class Meta:
        verbose_name = _("news page")

    def search_text(self) -> str:
        return "\n".join([self.author, self.body_text()])

    def body_text(self) -> str:
        return streamfield_text(self.body)


# The home page's messages and news: cached fragments, renewed whenever a news page comes, goes
# or changes (the list does not depend on view restrictions: every live news page is listed).
NEWS_FRAGMENTS = "portal-news"


@receiver([page_published, page_unpublished, post_delete], sender=NewsPage)
@receiver(post_page_move)  # a news page, or the index above it, moved: their URLs changed
def news_changed(**kwargs) -> None:
    fragments.renew(NEWS_FRAGMENTS)
