"""StreamField blocks for training modules: lessons made of sections, and scenario exercises."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock

from portal.blocks import RICH_TEXT_FEATURES, CalloutBlock, FigureBlock


class ScenarioBlock(blocks.StructBlock):
    """ "What would you do?": a situation, options, and the recommended answer revealed after choosing."""

    situation = blocks.TextBlock(label=_("Situation"))
    question = blocks.CharBlock(label=_("Question"), default="あなたならどうしますか？")
    options = blocks.ListBlock(blocks.CharBlock(label=_("Option")), min_num=2, label=_("Options"))
    recommended = blocks.IntegerBlock(
        min_value=1, label=_("Recommended option"), help_text=_("The number of the best option, counting from 1.")
    )
    explanation = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Why"))

    class Meta:
        icon = "help"
        template = "training/blocks/scenario.html"
        label = _("What would you do?")
        description = _("A situation from daily work; the reader picks an option, then sees the recommended one.")
        preview_value = {
            "situation": "窓口で、お客さまから他社契約の容量をすぐ知りたいと言われました。",
            "question": "あなたならどうしますか？",
            "options": ["共用端末で調べる", "正式な照会ルートを案内する"],
            "recommended": 2,
            "explanation": "<p>送配電事業者の非公開情報は閲覧できません。</p>",
        }

    def clean(self, value):
        value = super().clean(value)
        if value["recommended"] > len(value["options"]):
            raise blocks.StructBlockValidationError(
                block_errors={"recommended": blocks.BlockValidationError(_("There is no option with that number."))}
            )
        return value


class LessonSectionBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    callout = CalloutBlock()
    figure = FigureBlock()
    video = EmbedBlock(label=_("Video"), icon="media")
    scenario = ScenarioBlock()


class LessonBlock(blocks.StructBlock):
    """One lesson. Its stream-child id is the lesson's key, so reading progress survives edits."""

    title = blocks.CharBlock(label=_("Lesson title"))
    body = LessonSectionBlock(label=_("Content"))

    class Meta:
        icon = "doc-full"
        template = "training/blocks/lesson.html"
        label = _("Lesson")
