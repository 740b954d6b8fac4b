"""Writes for quizzes: start an attempt, save answers, submit, close an attempt whose time ran out.

Rules that hold whatever the caller does:
- the questions of an attempt are drawn once, at start, and frozen in the attempt;
- only choice ids are taken from the person; everything else (which choices are right, the
  score, pass or fail) is computed here from the frozen questions;
- an attempt is graded exactly once: grading locks the attempt row and checks its status, so
  a second, concurrent submission finds it already submitted;
- answers for questions outside the attempt, after the time limit (plus `TIME_LIMIT_GRACE`)
  or after submission are refused with a `ValidationError` and change nothing.

The services that act on an attempt take `now`: the moment they act at, for every time they
write (audit entries included) and every time rule they check (time limit, wait between
attempts). It defaults to the current time; a loader writing history (the demo) states it.
"""

import random
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.services import audit_record

from .models import Attempt, AttemptResponse, Question, QuestionBank, Quiz
from .selectors import next_attempt_at
from .signals import attempt_graded

Answers = Mapping[str | int, Iterable[str] | str]


class AttemptLimitReached(ValidationError):
    """Every attempt this person may make at this quiz in this context has been used."""


class AlreadyPassed(ValidationError):
    """The person has passed this quiz in this context; no attempt follows a pass."""


class RetakeTooSoon(ValidationError):
    """The quiz's wait between attempts has not yet passed since the last failed attempt."""


class StaleAttempt(ValidationError):
    """The page sent an out-of-date sequence number: the attempt was saved since (another tab)."""


class UnansweredQuestions(ValidationError):
    """A submission left questions unanswered without the person confirming it; `numbers` lists them."""

    def __init__(self, message, *, numbers: list[int], **kwargs):
        super().__init__(message, **kwargs)
        self.numbers = numbers


class QuizUnavailable(ValidationError):
    """The quiz has no published questions to draw."""


class AttemptClosed(ValidationError):
    """The attempt was already submitted (or closed by its time limit)."""


class TimeLimitExceeded(ValidationError):
    """The answers arrived after the time limit and its grace period."""


class AnswersRejected(ValidationError):
    """The answers name a question or choice that is not part of the attempt."""


def draw_questions(*, quiz: Quiz, rng: random.Random | None = None) -> list[dict]:
    """Draw `quiz.question_count` distinct questions from the quiz's published banks, as snapshots.

    Every question in the pool is equally likely; a question is never drawn twice for one
    attempt. Choices are shuffled when the quiz says so (true/false keeps its order).
    """
    rng = rng or random.SystemRandom()
    live_banks = QuestionBank.objects.filter(quizzes=quiz, live=True)
    pool = list(Question.objects.filter(bank__in=live_banks).order_by("pk").values_list("pk", flat=True))
    if not pool:
        raise QuizUnavailable(_("This quiz has no published questions yet. Please try again later."))
    chosen = rng.sample(pool, k=min(quiz.question_count, len(pool)))
    by_id = Question.objects.in_bulk(chosen)
    drawn = []
    for pk in chosen:
        snapshot = by_id[pk].snapshot()
        if quiz.shuffle_choices and snapshot["kind"] != Question.Kind.TRUE_FALSE:
            rng.shuffle(snapshot["choices"])
        drawn.append(snapshot)
    return drawn


def _checked_return_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if (
        len(url) > 500
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or not url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        raise ValidationError(_("The return address must be a path on this site."), code="bad_return_url")
    return url


def attempt_start(
    *,
    person,
    quiz: Quiz,
    context: str,
    return_url: str = "",
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Return the person's open attempt for this quiz and context, or draw a new one.

    An open attempt whose time has run out is graded first (on the answers saved in time), so
    it counts as used. Raises `AlreadyPassed` after a pass, `AttemptLimitReached` when
    `quiz.max_attempts` are used up and `RetakeTooSoon` within `quiz.retake_wait_minutes` of the
    last graded attempt.
    """
    if len(context) > Attempt._meta.get_field("context").max_length:
        raise ValidationError(_("The attempt context is too long."), code="bad_context")
    return_url = _checked_return_url(return_url)
    open_attempt = (
        Attempt.objects.filter(person=person, quiz=quiz, context=context, status=Attempt.Status.IN_PROGRESS)
        .order_by("-pk")
        .first()
    )
    if open_attempt is not None:
        open_attempt = attempt_close_if_expired(attempt=open_attempt, now=now)
        if open_attempt.is_open:
            return open_attempt
    return _attempt_draw(person=person, quiz=quiz, context=context, return_url=return_url, rng=rng, now=now)


@transaction.atomic
def _attempt_draw(
    *, person, quiz: Quiz, context: str, return_url: str, rng: random.Random | None, now: datetime | None
) -> Attempt:
    # Lock the context's attempts so a pass being graded right now is seen before drawing anew.
    earlier = list(Attempt.objects.select_for_update().filter(person=person, quiz=quiz, context=context))
    counted = len(earlier)
    now = now or timezone.now()
    if any(a.passed for a in earlier):
        raise AlreadyPassed(_("You have already passed this quiz; there is no further attempt."), code="passed")
    if quiz.max_attempts and counted >= quiz.max_attempts:
        raise AttemptLimitReached(
            _("You have used all %(limit)d attempts at this quiz.") % {"limit": quiz.max_attempts},
            code="attempt_limit",
        )
    ready_at = next_attempt_at(quiz=quiz, attempts=earlier)
    if ready_at is not None and ready_at > now:
        raise RetakeTooSoon(
            _("You can start the next attempt from %(time)s. Meanwhile, read the explanations and the lessons.")
            % {"time": timezone.localtime(ready_at).strftime("%Y-%m-%d %H:%M")},
            code="retake_wait",
        )
    questions = draw_questions(quiz=quiz, rng=rng)
    attempt = Attempt(
        person=person,
        quiz=quiz,
        context=context,
        return_url=return_url,
        number=len(earlier) + 1,
        started_at=now,
        deadline_at=now + timezone.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
        pass_mark_percent=quiz.pass_mark_percent,
        questions=questions,
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        # A concurrent request started one first (double click, two tabs): use that one.
        existing = Attempt.objects.filter(
            person=person, quiz=quiz, context=context, status=Attempt.Status.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing
    audit_record(
        actor=person,
        action="quiz.attempt_started",
        target=attempt,
        detail={"quiz": quiz.slug, "context": context, "number": attempt.number, "questions": attempt.question_ids()},
        at=now,
    )
    return attempt


def _normalise_answers(attempt: Attempt, answers: Answers) -> dict[str, list[str]]:
    """Check posted answers against the frozen questions; only choice ids are ever taken."""
    questions = {str(q["id"]): q for q in attempt.questions}
    cleaned: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = questions.get(str(key))
        if question is None:
            raise AnswersRejected(
                _("An answer was sent for a question that is not part of this attempt. Nothing was saved."),
                code="foreign_question",
            )
        chosen = [value] if isinstance(value, str) else list(value)
        chosen = list(dict.fromkeys(str(c) for c in chosen if str(c)))
        valid = {c["id"] for c in question["choices"]}
        if any(c not in valid for c in chosen):
            raise AnswersRejected(
                _("An answer names a choice that this question does not have. Nothing was saved."),
                code="foreign_choice",
            )
        if len(chosen) > 1 and question["kind"] != Question.Kind.MULTIPLE:
            raise AnswersRejected(
                _("Only one choice can be selected for this question. Nothing was saved."), code="too_many_choices"
            )
        cleaned[str(key)] = chosen
    return cleaned


def _lock(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update(of=("self",)).select_related("quiz", "person").get(pk=attempt.pk)


def _refuse_if_stale(locked: Attempt, sequence: int | None) -> None:
    # None is for callers without a page (loaders, tests); every form and autosave sends one.
    if sequence is not None and sequence != locked.sequence:
        raise StaleAttempt(
            _(
                "This page is out of date: the answers were saved from another tab or window since it was "
                "opened. Nothing was saved. Reload the page to see the saved answers."
            ),
            code="stale",
        )


def _refuse_if_closed(locked: Attempt, now) -> None:
    if not locked.is_open:
        raise AttemptClosed(
            _("This attempt has already been submitted; answers can no longer be changed."), code="submitted"
        )
    if not locked.accepts_answers_at(now):
        raise TimeLimitExceeded(
            _("The time limit for this attempt has passed; answers sent now are not accepted."), code="time_limit"
        )


def _merge(locked: Attempt, cleaned: dict[str, list[str]]) -> None:
    merged = dict(locked.answers)
    for key, chosen in cleaned.items():
        if chosen:
            merged[key] = chosen
        else:
            merged.pop(key, None)
    locked.answers = merged


@transaction.atomic
def attempt_save_answers(
    *, attempt: Attempt, answers: Answers, sequence: int | None = None, now: datetime | None = None
) -> Attempt:
    """Save answers as the person goes; an empty list clears a question's answer.

    `sequence` is the number the page was rendered with; a different one (`StaleAttempt`)
    changes nothing. A save raises the number by one.
    """
    locked = _lock(attempt)
    _refuse_if_closed(locked, now or timezone.now())
    _refuse_if_stale(locked, sequence)
    cleaned = _normalise_answers(locked, answers)
    _merge(locked, cleaned)
    locked.sequence += 1
    locked.save(update_fields=["answers", "sequence"])
    return locked


@transaction.atomic
def attempt_submit(
    *,
    attempt: Attempt,
    answers: Answers | None = None,
    sequence: int | None = None,
    unanswered_confirmed: bool = False,
    now: datetime | None = None,
) -> Attempt:
    """Save the last answers (if any) and grade the attempt, exactly once.

    Raises `AttemptClosed` if it was already submitted (the first submission stands),
    `TimeLimitExceeded` if the time is up (see `attempt_store_late`), `StaleAttempt` for an
    out-of-date page, `AnswersRejected` for answers outside the attempt, and
    `UnansweredQuestions` when questions are left unanswered and the person has not confirmed
    that (a blank submission is almost always a mistake, or a probe for the answers). Nothing
    is changed when it raises.
    """
    locked = _lock(attempt)
    now = now or timezone.now()
    _refuse_if_closed(locked, now)
    _refuse_if_stale(locked, sequence)
    if answers:
        _merge(locked, _normalise_answers(locked, answers))
    unanswered = [n for n, q in enumerate(locked.questions, start=1) if not locked.answers.get(str(q["id"]))]
    if unanswered and not unanswered_confirmed:
        raise UnansweredQuestions(
            ngettext(
                "%(count)d question has no answer. Submit anyway?",
                "%(count)d questions have no answer. Submit anyway?",
                len(unanswered),
            )
            % {"count": len(unanswered)},
            code="unanswered",
            numbers=unanswered,
        )
    locked.sequence += 1
    return _grade(locked, now=now, timed_out=False)


@transaction.atomic
def attempt_store_late(*, attempt: Attempt, answers: Answers, now: datetime | None = None) -> Attempt:
    """Keep answers that arrived after the time limit (and its grace) as late: stored, never graded.

    An attempt still open is first graded on the answers saved in time. Raises `AttemptClosed`
    for an attempt submitted in time (those answers are not late, just after the end) and
    `ValidationError` while the attempt still accepts answers.
    """
    locked = _lock(attempt)
    now = now or timezone.now()
    if locked.accepts_answers_at(now) and locked.is_open:
        raise ValidationError(_("This attempt still accepts answers."), code="not_late")
    if not locked.is_open and not locked.timed_out:
        _refuse_if_closed(locked, now)
    cleaned = {key: chosen for key, chosen in _normalise_answers(locked, answers).items() if chosen}
    if locked.is_open:
        locked = _grade(locked, now=now, timed_out=True)
    locked.late_answers = cleaned
    locked.late_answers_at = now
    locked.save(update_fields=["late_answers", "late_answers_at"])
    audit_record(
        actor=locked.person,
        action="quiz.late_answers_stored",
        target=locked,
        detail={"quiz": locked.quiz.slug, "number": locked.number, "answered": len(cleaned), "at": now.isoformat()},
        at=now,
    )
    return locked


@transaction.atomic
def attempt_close_if_expired(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Grade an open attempt whose time limit (and grace) has passed, on the answers saved in time."""
    if not attempt.is_open or attempt.accepts_answers_at(now or timezone.now()):
        return attempt
    locked = _lock(attempt)
    now = now or timezone.now()
    if not locked.is_open or locked.accepts_answers_at(now):
        return locked
    return _grade(locked, now=now, timed_out=True)


def grade_answers(questions: list[dict], answers: Mapping[str, list[str]]) -> list[bool]:
    """Right or wrong per question: right when exactly the correct choices were chosen."""
    results = []
    for question in questions:
        chosen = set(answers.get(str(question["id"]), []))
        correct = {c["id"] for c in question["choices"] if c["correct"]}
        results.append(chosen == correct)
    return results


def _grade(locked: Attempt, *, now, timed_out: bool) -> Attempt:
    results = grade_answers(locked.questions, locked.answers)
    total = len(results)
    correct = sum(results)
    locked.correct_count = correct
    locked.score_percent = (Decimal(correct * 100) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    # Compare whole numbers so rounding of the shown score never moves a person across the mark.
    locked.passed = correct * 100 >= locked.pass_mark_percent * total
    locked.status = Attempt.Status.SUBMITTED
    locked.submitted_at = now
    locked.timed_out = timed_out
    locked.answered_count = sum(1 for q in locked.questions if locked.answers.get(str(q["id"])))
    locked.save(
        update_fields=[
            "answers",
            "sequence",
            "correct_count",
            "score_percent",
            "passed",
            "status",
            "submitted_at",
            "timed_out",
            "answered_count",
        ]
    )
    # A question deleted from its bank since the draw is still graded from the snapshot.
    still_there = set(Question.objects.filter(pk__in=locked.question_ids()).values_list("pk", flat=True))
    AttemptResponse.objects.bulk_create(
        [
            AttemptResponse(
                attempt=locked,
                question_id=question["id"] if question["id"] in still_there else None,
                question_key=question["id"],
                position=position,
                selected=locked.answers.get(str(question["id"]), []),
                is_correct=ok,
            )
            for position, (question, ok) in enumerate(zip(locked.questions, results, strict=True))
        ]
    )
    audit_record(
        actor=locked.person,
        action="quiz.attempt_graded",
        target=locked,
        detail={
            "quiz": locked.quiz.slug,
            "context": locked.context,
            "number": locked.number,
            "correct": correct,
            "total": total,
            "score_percent": str(locked.score_percent),
            "passed": locked.passed,
            "timed_out": timed_out,
            "answered": locked.answered_count,
        },
        at=now,
    )
    transaction.on_commit(lambda: attempt_graded.send(sender=Attempt, attempt=locked))
    return locked


def _question_spec(question: Question) -> dict:
    return {
        "kind": question.kind,
        "situation": question.situation,
        "text": question.text,
        "choices": [{"text": b.value["text"], "correct": bool(b.value["is_correct"])} for b in question.choices],
        "explanation": question.explanation,
        "case_page_id": question.case_page_id,
        "rule_page_id": question.rule_page_id,
    }


@transaction.atomic
def question_bank_publish(
    *, slug: str, title: str, questions: list[dict], description: str = "", user=None
) -> QuestionBank:
    """Create or replace a bank's content and publish it as a new revision (used by loaders and tests).

    `questions` are dicts with kind, text, choices ([{"text", "correct"}]), explanation and
    optionally situation, case_page_id, rule_page_id. Every question is validated as in the
    admin; publishing the same content again changes nothing.
    """
    specs = [
        {
            "kind": q.get("kind", Question.Kind.SINGLE),
            "situation": q.get("situation", ""),
            "text": q["text"],
            "choices": [{"text": c["text"], "correct": bool(c.get("correct"))} for c in q["choices"]],
            "explanation": q["explanation"],
            "case_page_id": q.get("case_page_id"),
            "rule_page_id": q.get("rule_page_id"),
        }
        for q in questions
    ]
    bank = QuestionBank.objects.filter(slug=slug).first()
    if (
        bank is not None
        and bank.live
        and not bank.has_unpublished_changes
        and bank.title == title
        and bank.description == description
        and [_question_spec(q) for q in bank.questions.all()] == specs
    ):
        return bank
    if bank is None:
        bank = QuestionBank(slug=slug, live=False)
    bank.title = title
    bank.description = description
    rows = []
    for position, spec in enumerate(specs):
        question = Question(
            sort_order=position,
            kind=spec["kind"],
            situation=spec["situation"],
            text=spec["text"],
            choices=[("choice", {"text": c["text"], "is_correct": c["correct"]}) for c in spec["choices"]],
            explanation=spec["explanation"],
            case_page_id=spec["case_page_id"],
            rule_page_id=spec["rule_page_id"],
        )
        question.full_clean(exclude=["bank"])
        rows.append(question)
    bank.questions = rows
    bank.save()
    revision = bank.save_revision(user=user)
    revision.publish(user=user)
    bank.refresh_from_db()
    return bank


@transaction.atomic
def quiz_configure(*, slug: str, title: str, bank_slugs: list[str], **settings) -> Quiz:
    """Create or update a quiz and its banks (used by loaders and tests); unchanged settings write nothing."""
    quiz = Quiz.objects.filter(slug=slug).first() or Quiz(slug=slug)
    changed = quiz.pk is None or quiz.title != title
    quiz.title = title
    for name, value in settings.items():
        if getattr(quiz, name) != value:
            setattr(quiz, name, value)
            changed = True
    if changed:
        quiz.full_clean()
        quiz.save()
    banks = list(QuestionBank.objects.filter(slug__in=bank_slugs))
    if {b.slug for b in banks} != set(bank_slugs):
        raise ValidationError(_("Unknown question bank."), code="unknown_bank")
    if set(quiz.banks.values_list("pk", flat=True)) != {b.pk for b in banks}:
        quiz.banks.set(banks)
    return quiz
