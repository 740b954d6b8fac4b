from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class Audience:
    """Who a "for your department" section speaks to, and how a person is matched to it."""

    SALES = "sales"
    CALL_CENTRE = "call_centre"
    CONTRACTOR = "contractor"
    TEMP = "temp"
    EXECUTIVE = "executive"
    MANAGER = "manager"
    TRANSFEREE = "transferee"

    CHOICES = [
        (SALES, _("Sales offices")),
        (CALL_CENTRE, _("Call centre")),
        (CONTRACTOR, _("Contractor staff")),
        (TEMP, _("Temp staff")),
        (EXECUTIVE, _("Executives")),
        (MANAGER, _("Managers")),
        (TRANSFEREE, _("People transferred from the grid company")),
    ]
    # Job-role and employment-type codes (people.JobRole / people.EmploymentType) per audience;
    # transferees are the people with a transfer from a grid-company unit (`Person.moved_from_grid`).
    JOB_ROLES = {SALES: {"SALES"}, CALL_CENTRE: {"CALL_CENTRE"}, MANAGER: {"MANAGER"}}
    EMPLOYMENT_TYPES = {CONTRACTOR: {"CONTRACTOR"}, TEMP: {"TEMP"}, EXECUTIVE: {"EXECUTIVE"}}

    @classmethod
    def of(cls, person) -> set[str]:
        if not getattr(person, "is_authenticated", False):
            return set()
        roles = person.job_role_codes
        etype = person.employment_type_code
        found = {a for a, codes in cls.JOB_ROLES.items() if roles & codes}
        found |= {a for a, codes in cls.EMPLOYMENT_TYPES.items() if etype in codes}
        if person.moved_from_grid:
            found.add(cls.TRANSFEREE)
        return found

    @staticmethod
    def cache_key(audiences: set[str]) -> str:
        """A set of audiences as part of a fragment's cache key (pages rendered per department)."""
        return "-".join(sorted(audiences))


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("warning", _("Warning")), ("forbidden", _("Forbidden"))],
        default="info",
        label=_("Tone"),
    )
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.RichTextBlock(features=["bold", "italic", "ul", "ol", "link"], label=_("Text"))

    class Meta:
        icon = "warning"
        template = "portal/blocks/callout.html"
        label = _("Callout")
        description = _("A highlighted box: a rule to remember, a warning or something forbidden.")


class DepartmentSectionValue(blocks.StructValue):
    def audience_label(self):
        return dict(Audience.CHOICES).get(self["audience"], self["audience"])


class DepartmentSectionBlock(blocks.StructBlock):
    audience = blocks.ChoiceBlock(choices=Audience.CHOICES, label=_("For"))
    heading = blocks.CharBlock(label=_("Heading"))
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Body"))

    class Meta:
        icon = "group"
        template = "portal/blocks/department_section.html"
        label = _("For your department")
        value_class = DepartmentSectionValue
        description = _("What this rule means for one department; highlighted for the people in it.")
        preview_value = {"audience": "sales", "heading": "営業窓口では", "body": "<p>スイッチングの照会は…</p>"}


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "portal/blocks/figure.html"
        label = _("Figure")


class BodyStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="portal/blocks/heading.html", label=_("Section heading")
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    callout = CalloutBlock()
    department = DepartmentSectionBlock()
    figure = FigureBlock()
    video = EmbedBlock(label=_("Video"), icon="media")
