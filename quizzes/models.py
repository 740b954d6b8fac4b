"""Question banks, quizzes and the attempts people make at them.

Banks and quizzes are what editors write (snippets; banks with drafts and revisions). An
`Attempt` is a transaction: when it starts, the drawn questions are copied into it as they
are at that moment (text, choices in display order, which choices are correct, explanation,
linked pages), so later edits to a bank never change how an attempt is shown or graded.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Orderable, RevisionMixin

EXPLANATION_FEATURES = ["bold", "italic", "ol", "ul", "link"]

# Answers that arrive this long after the time limit still count: the page's own countdown,
# a slow network or a submit pressed in the last second should not cost a person their work.
TIME_LIMIT_GRACE = timedelta(seconds=getattr(settings, "QUIZ_TIME_LIMIT_GRACE_SECONDS", 30))


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Choice"), max_length=500)
    is_correct = blocks.BooleanBlock(label=_("Correct"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Choice")
        template = "quizzes/blocks/choice.html"
        description = _("One answer a person can choose; tick “Correct” for the right one(s).")
        preview_value = {"text": "お客さまにはネットワーク会社への正式な照会ルートを案内する", "is_correct": True}


class QuestionBank(DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel):
    """A set of questions on one topic that quizzes draw from."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        InlinePanel("questions", label=_("Questions"), min_num=1),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self):
        return self.title


class Question(Orderable):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SCENARIO = "scenario", _("Scenario")

    bank = ParentalKey(QuestionBank, on_delete=models.CASCADE, related_name="questions", verbose_name=_("bank"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    situation = models.TextField(
        _("situation"), blank=True, help_text=_("For scenario questions: the situation the person is in.")
    )
    text = models.TextField(_("question"))
    choices = StreamField([("choice", ChoiceBlock())], verbose_name=_("choices"))
    explanation = RichTextField(
        _("explanation"),
        features=EXPLANATION_FEATURES,
        help_text=_("Shown after submission: why the right answer is right, in words that teach."),
    )
    case_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case page"),
    )
    rule_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule page"),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("situation"),
        FieldPanel("text"),
        FieldPanel("choices"),
        FieldPanel("explanation"),
        MultiFieldPanel([FieldPanel("case_page"), FieldPanel("rule_page")], heading=_("Further reading")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        choices = [block.value for block in self.choices] if self.choices else []
        correct = sum(1 for c in choices if c.get("is_correct"))
        if len(choices) < 2:
            raise ValidationError({"choices": _("A question needs at least two choices.")})
        if self.kind == self.Kind.TRUE_FALSE and len(choices) != 2:
            raise ValidationError({"choices": _("A true-or-false question has exactly two choices.")})
        if self.kind == self.Kind.MULTIPLE:
            if correct < 1:
                raise ValidationError({"choices": _("Mark at least one choice as correct.")})
        elif correct != 1:
            raise ValidationError({"choices": _("Mark exactly one choice as correct.")})
        if self.kind == self.Kind.SCENARIO and not self.situation.strip():
            raise ValidationError({"situation": _("A scenario question needs a situation.")})

    def snapshot(self) -> dict:
        """The question as it is now, frozen into an attempt (see `Attempt.questions`)."""
        return {
            "id": self.pk,
            "bank_id": self.bank_id,
            "kind": self.kind,
            "situation": self.situation,
            "text": self.text,
            "choices": [
                {"id": str(block.id), "text": block.value["text"], "correct": bool(block.value["is_correct"])}
                for block in self.choices
            ],
            "explanation": self.explanation,
            "case_page_id": self.case_page_id,
            "rule_page_id": self.rule_page_id,
        }


class Quiz(models.Model):
    """How a quiz is drawn and marked; a training module points at one."""

    class ReviewWhen(models.TextChoices):
        """When the result page shows one part of the review (Moodle's review options)."""

        IMMEDIATELY = "immediately", _("Immediately after each attempt")
        AFTER_PASS = "after_pass", _("Once the person has passed")
        FINISHED = "finished", _("Once the person has passed or has no attempts left")
        NEVER = "never", _("Never")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    banks = models.ManyToManyField(QuestionBank, related_name="quizzes", verbose_name=_("question banks"))
    question_count = models.PositiveSmallIntegerField(
        _("questions per attempt"), default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempt limit"), default=0, help_text=_("0 means unlimited."))
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    retake_wait_minutes = models.PositiveIntegerField(
        _("wait between attempts (minutes)"),
        default=0,
        help_text=_("How long after a failed attempt the next one can start; 0 means at once."),
    )
    # The defaults suit a compliance test: a person learns which answers were wrong and why
    # (with the case and rule links), but the right choice only once it can no longer be
    # harvested for a retake.
    review_correctness = models.CharField(
        _("show whether each answer was right"),
        max_length=20,
        choices=ReviewWhen.choices,
        default=ReviewWhen.IMMEDIATELY,
    )
    review_explanation = models.CharField(
        _("show the explanation with its case and rule links"),
        max_length=20,
        choices=ReviewWhen.choices,
        default=ReviewWhen.IMMEDIATELY,
    )
    review_correct_choice = models.CharField(
        _("show the correct choice"),
        max_length=20,
        choices=ReviewWhen.choices,
        default=ReviewWhen.FINISHED,
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("banks"),
        MultiFieldPanel(
            [
                FieldPanel("question_count"),
                FieldPanel("shuffle_choices"),
                FieldPanel("pass_mark_percent"),
                FieldPanel("max_attempts"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("retake_wait_minutes"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [FieldPanel("review_correctness"), FieldPanel("review_explanation"), FieldPanel("review_correct_choice")],
            heading=_("Review options: what the result page shows, and when"),
        ),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100),
                name="quiz_pass_mark_1_100",
            ),
            models.CheckConstraint(condition=models.Q(question_count__gte=1), name="quiz_draws_at_least_one"),
        ]

    def __str__(self):
        return self.title


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts", verbose_name=_("person")
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz"))
    # An opaque key chosen by the caller (training uses "assignment:<pk>"); limits count per key.
    context = models.CharField(_("context"), max_length=100, blank=True)
    return_url = models.CharField(_("return address"), max_length=500, blank=True)
    number = models.PositiveSmallIntegerField(_("attempt number"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    timed_out = models.BooleanField(_("closed by the time limit"), default=False)
    # Frozen at start, like the questions, so changing the quiz never re-marks an attempt.
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    # The drawn questions as they were at draw time, in display order: a list of
    # `Question.snapshot()` dicts (choices already in the order they are shown).
    questions = models.JSONField(_("questions"), default=list, editable=False)
    # Saved answers: {"<question id>": ["<choice id>", ...]}.
    answers = models.JSONField(_("answers"), default=dict, blank=True, editable=False)
    # Raised by every accepted save or submit; each form carries the value it was rendered with,
    # so a page that is out of date (another tab saved since) is refused, as Moodle's sequencecheck.
    sequence = models.PositiveIntegerField(_("sequence number"), default=0, editable=False)
    # Answers that arrived after the time limit and its grace: kept for the record, never graded.
    late_answers = models.JSONField(_("answers received late"), default=dict, blank=True, editable=False)
    late_answers_at = models.DateTimeField(_("late answers received at"), null=True, blank=True, editable=False)
    # Questions with an answer when graded; an attempt with none does not count in weak points.
    answered_count = models.PositiveSmallIntegerField(_("answered questions"), null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"), null=True, blank=True)
    score_percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["person", "quiz", "context"])]
        constraints = [
            # At most one open attempt per person, quiz and context, even under concurrent starts.
            models.UniqueConstraint(
                fields=["person", "quiz", "context"],
                condition=models.Q(status="in_progress"),
                name="attempt_one_open_per_context",
            ),
            models.UniqueConstraint(fields=["person", "quiz", "context", "number"], name="attempt_number_unique"),
        ]

    def __str__(self):
        return f"{self.quiz} #{self.number} ({self.person})"

    def get_absolute_url(self):
        return reverse("quizzes:attempt", args=[self.public_id])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def question_count(self) -> int:
        return len(self.questions)

    def question_ids(self) -> list[int]:
        return [q["id"] for q in self.questions]

    def accepts_answers_at(self, moment) -> bool:
        """Whether an answer arriving at `moment` is still in time (the grace period included)."""
        return self.deadline_at is None or moment <= self.deadline_at + TIME_LIMIT_GRACE


class AttemptResponse(models.Model):
    """One graded answer, written once when the attempt is graded; reports read these."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses", verbose_name=_("attempt"))
    # The bank question this was drawn from; kept as a plain id too so a deleted question stays countable.
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses", verbose_name=_("question")
    )
    question_key = models.PositiveBigIntegerField(_("question id at draw time"))
    position = models.PositiveSmallIntegerField(_("position"))
    selected = models.JSONField(_("selected choices"), default=list)
    is_correct = models.BooleanField(_("correct"))

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = _("graded answer")
        verbose_name_plural = _("graded answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="response_one_per_position")]

    def __str__(self):
        return f"{self.attempt_id}#{self.position}: {'✓' if self.is_correct else '✗'}"
