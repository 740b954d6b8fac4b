"""The casebook (事例集): what went wrong, why, and what changed, told so that others learn from it.

A case's causes are analysed under the fraud triangle: opportunity (機会), motivation (動機)
and rationalisation (正当化). Causes, departments, rule links and countermeasures are child
rows rather than free text, so the index can filter on them exactly and cheaply.
"""

from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from portal import fragments
from portal.blocks import RICH_TEXT_FEATURES, Audience
from portal.models import PUBLISHED_PAGES, hook_panels, lazy_list
from portal.search.indexing import JapaneseSearchable
from portal.serving import ViewRestrictionsReadOnce

from . import facets
from .choices import CauseElement
from .triangle import FraudTriangle


class CaseIndexPage(ViewRestrictionsReadOnce, Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["casebook.CaseStudyPage"]
    max_count = 1

    class Meta:
        verbose_name = _("case index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        cases = CaseStudyPage.objects.child_of(self).live().public()
        context["facets"] = facets.CaseFacets.for_cases(cases, request.GET)
        return context


class CaseStudyPage(ViewRestrictionsReadOnce, JapaneseSearchable, Page):
    """One case: the facts, the rule it broke, why it happened and what the company changed."""

    summary = models.TextField(verbose_name=_("summary"), help_text=_("Two or three sentences shown in the index."))
    period_start = models.DateField(verbose_name=_("from"))
    period_end = models.DateField(
        null=True, blank=True, verbose_name=_("until"), help_text=_("Leave empty if it is still going on.")
    )
    units_involved = models.CharField(
        max_length=255, verbose_name=_("units involved"), help_text=_("Offices or departments, e.g. 八戸営業所.")
    )
    people_involved = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("people involved"))
    records_viewed = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("records viewed"))
    what_happened = RichTextField(features=RICH_TEXT_FEATURES, verbose_name=_("what happened"))
    related_qa = StreamField(
        [("page", blocks.PageChooserBlock(page_type=["portal.QAPage"], label=_("Q&A page")))],
        blank=True,
        verbose_name=_("related Q&A"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
                FieldPanel("units_involved"),
                FieldRowPanel([FieldPanel("people_involved"), FieldPanel("records_viewed")]),
            ],
            heading=_("Facts"),
        ),
        InlinePanel("departments", label=_("Departments involved"), min_num=1),
        FieldPanel("what_happened"),
        InlinePanel("rule_links", label=_("Rules broken")),
        InlinePanel("causes", label=_("Causes (fraud triangle)")),
        InlinePanel("countermeasures", label=_("Countermeasures")),
        InlinePanel("lessons", label=_("Lessons per department")),
        FieldPanel("related_qa"),
    ]
    parent_page_types = ["casebook.CaseIndexPage"]
    subpage_types = []
    search_kind_label = _("Case")

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def search_text(self) -> str:
        labels = dict(Audience.CHOICES)
        lines = [self.summary, self.units_involved, strip_tags(self.what_happened)]
        lines += [str(labels.get(d.department, "")) for d in self.departments.all()]
        lines += [link.explanation for link in self.rule_links.all()]
        lines += [cause.text for cause in self.causes.all()]
        lines += [measure.text for measure in self.countermeasures.all()]
        lines += [lesson.text for lesson in self.lessons.all()]
        return "\n".join(line for line in lines if line)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        mine = Audience.of(request.user)
        context["my_audiences"] = mine
        context["audience_key"] = Audience.cache_key(mine)
        # What follows is read only when the cached body (see the template) is rendered again.
        causes = lazy_list(lambda: list(self.causes.all()))
        context["triangle"] = SimpleLazyObject(lambda: FraudTriangle.from_causes(causes))
        context["causes_by_element"] = lazy_list(
            lambda: [(value, label, [c for c in causes if c.element == value]) for value, label in CauseElement.choices]
        )
        context["rule_links"] = lazy_list(
            lambda: [link for link in self.rule_links.select_related("rule") if link.rule_id and link.rule.live]
        )
        context["related_qa_pages"] = lazy_list(
            lambda: [b.value.specific for b in self.related_qa if b.value and b.value.live]
        )
        # The reader's own department's lessons come first.
        context["lessons"] = lazy_list(
            lambda: sorted(self.lessons.all(), key=lambda lesson: (lesson.audience not in mine, lesson.sort_order or 0))
        )
        # Apps that build on the casebook (quizzes: the questions about this case) add sections
        # through the hook `casebook_case_page_panels`, called as fn(request, page=case), which
        # returns safe HTML or None; the casebook imports none of them.
        context["panels"] = hook_panels("casebook_case_page_panels", request, page=self)
        context["pages_generation"] = fragments.generation(PUBLISHED_PAGES)
        return context

    def cause_counts(self) -> list[tuple[str, str, int]]:
        """(element, label, number of causes) for each element; uses prefetched causes."""
        causes = list(self.causes.all())
        return [(value, label, sum(1 for c in causes if c.element == value)) for value, label in CauseElement.choices]


class CaseDepartment(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="departments")
    department = models.CharField(max_length=32, choices=Audience.CHOICES, verbose_name=_("department"))

    panels = [FieldPanel("department")]

    class Meta(Orderable.Meta):
        verbose_name = _("department involved")
        constraints = [models.UniqueConstraint(fields=["page", "department"], name="casebook_department_once")]

    def __str__(self):
        return self.get_department_display()


class CaseRuleLink(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="rule_links")
    rule = models.ForeignKey(
        "portal.RulePage", on_delete=models.CASCADE, related_name="case_links", verbose_name=_("rule")
    )
    explanation = models.TextField(verbose_name=_("how the rule was broken"))

    panels = [FieldPanel("rule"), FieldPanel("explanation")]

    class Meta(Orderable.Meta):
        verbose_name = _("rule broken")

    def __str__(self):
        return str(self.rule)


class CauseItem(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="causes")
    element = models.CharField(max_length=16, choices=CauseElement.choices, verbose_name=_("element"))
    text = models.CharField(max_length=300, verbose_name=_("cause"))

    panels = [FieldPanel("element"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("cause")
        indexes = [models.Index(fields=["element", "page"])]

    def __str__(self):
        return self.text


class Countermeasure(Orderable):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="countermeasures")
    text = models.CharField(max_length=500, verbose_name=_("countermeasure"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED, verbose_name=_("status"))
    date = models.DateField(verbose_name=_("date"), help_text=_("When it was done, or when it is due if not done yet."))

    panels = [FieldPanel("text"), FieldRowPanel([FieldPanel("status"), FieldPanel("date")])]

    class Meta(Orderable.Meta):
        verbose_name = _("countermeasure")

    def __str__(self):
        return self.text

    @property
    def status_tag(self) -> str:
        return {self.Status.DONE: "tag-ok", self.Status.IN_PROGRESS: "tag-warn"}.get(self.status, "")


class Lesson(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="lessons")
    audience = models.CharField(max_length=32, choices=Audience.CHOICES, verbose_name=_("for"))
    text = models.TextField(verbose_name=_("lesson"))

    panels = [FieldPanel("audience"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("lesson")

    def __str__(self):
        return self.text
