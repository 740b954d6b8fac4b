"""Taking an attempt and reading its result. Only the owner sees an attempt; anyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks

from . import selectors, services
from .models import Attempt

FIELD_PREFIX = "q-"


def _owned_attempt(request: HttpRequest, public_id) -> Attempt:
    attempt = selectors.attempt_of_owner(public_id=public_id, person=request.user)
    if attempt is None:
        raise Http404
    return attempt


def _posted_answers(request: HttpRequest, attempt: Attempt) -> dict[str, list[str]]:
    """Answers from the form: every question of the attempt (unticked means no answer), plus any
    other `q-…` field so the service can refuse it. Nothing else posted (a score, a "correct"
    flag) is read."""
    answers = {str(q["id"]): [] for q in attempt.questions}
    for name in request.POST:
        if name.startswith(FIELD_PREFIX):
            answers[name[len(FIELD_PREFIX) :]] = request.POST.getlist(name)
    return answers


def _posted_sequence(request: HttpRequest) -> int:
    """The sequence number the page was rendered with; a form without one counts as out of date."""
    try:
        return int(request.POST.get("sequence", ""))
    except ValueError:
        return -1


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@require_http_methods(["GET", "POST"])
def attempt(request: HttpRequest, public_id) -> HttpResponse:
    current = _owned_attempt(request, public_id)
    if request.method == "POST":
        return _post(request, current)
    if current.is_open:
        current = services.attempt_close_if_expired(attempt=current)
    if not current.is_open:
        return _result(request, current)
    return render(
        request, "quizzes/attempt_take.html", _take_context(current, confirm=request.GET.get("confirm") == "1")
    )


def _post(request: HttpRequest, current: Attempt) -> HttpResponse:
    action = request.POST.get("action", "save")
    answers = _posted_answers(request, current)
    sequence = _posted_sequence(request)
    submitting = action in ("submit", "submit_unanswered")
    try:
        if submitting:
            services.attempt_submit(
                attempt=current,
                answers=answers,
                sequence=sequence,
                unanswered_confirmed=action == "submit_unanswered",
            )
        else:
            current = services.attempt_save_answers(attempt=current, answers=answers, sequence=sequence)
    except services.UnansweredQuestions:
        # Keep what was chosen, then ask on the page whether to submit with the gaps.
        try:
            services.attempt_save_answers(attempt=current, answers=answers, sequence=sequence)
        except ValidationError as error:
            return _refused(request, current, error)
        return redirect(current.get_absolute_url() + "?confirm=1#confirm-submit")
    except (services.TimeLimitExceeded, services.AttemptClosed) as error:
        return _late(request, current, answers, error)
    except ValidationError as error:
        return _refused(request, current, error)
    if submitting:
        return redirect(current)
    if _wants_json(request):
        return JsonResponse(
            {
                "saved": True,
                "answered": len(current.answers),
                "total": current.question_count,
                "sequence": current.sequence,
            }
        )
    messages.success(request, _("Your answers have been saved. You can come back and finish later."))
    return redirect(current)


def _refused(request: HttpRequest, current: Attempt, error: ValidationError) -> HttpResponse:
    message = " ".join(error.messages)
    if _wants_json(request):
        stale = isinstance(error, services.StaleAttempt)
        return JsonResponse({"saved": False, "stale": stale, "error": message}, status=409 if stale else 400)
    messages.error(request, message)
    return redirect(current)


def _late(request: HttpRequest, current: Attempt, answers, error: ValidationError) -> HttpResponse:
    """Answers after the time limit: kept as late (not counted) when the attempt ran out of time."""
    try:
        services.attempt_store_late(attempt=current, answers=answers)
    except ValidationError:
        return _refused(request, current, error)
    message = _(
        "The time limit had passed, so the answers you just sent were stored as late and are not counted. "
        "The attempt was graded on the answers saved in time."
    )
    if _wants_json(request):
        return JsonResponse({"saved": False, "late": True, "error": message, "result": current.get_absolute_url()})
    messages.warning(request, message)
    return redirect(current)


def _take_context(current: Attempt, *, confirm: bool = False) -> dict:
    questions = []
    for number, q in enumerate(current.questions, start=1):
        chosen = set(current.answers.get(str(q["id"]), []))
        questions.append(
            {
                "number": number,
                "id": q["id"],
                "kind": q["kind"],
                "situation": q["situation"],
                "text": q["text"],
                "several": q["kind"] == "multiple",
                # Only what the page needs: never the correctness flag or the explanation.
                "choices": [
                    {"id": c["id"], "text": c["text"], "checked": c["id"] in chosen, "index": i}
                    for i, c in enumerate(q["choices"])
                ],
            }
        )
    unanswered = [q["number"] for q in questions if not any(c["checked"] for c in q["choices"])]
    return {
        "attempt": current,
        "quiz": current.quiz,
        "questions": questions,
        "answered": len(current.answers),
        "unanswered": unanswered if confirm else [],
        "field_prefix": FIELD_PREFIX,
        "rules": selectors.quiz_rules(quiz=current.quiz, person=current.person, context=current.context),
    }


def _result(request: HttpRequest, current: Attempt) -> HttpResponse:
    quiz = current.quiz
    review = selectors.review_for(attempt=current)
    pages = selectors.linked_pages(attempt=current, request=request) if review.explanation else {}
    graded = services.grade_answers(current.questions, current.answers)
    rows = []
    for number, (q, ok) in enumerate(zip(current.questions, graded, strict=True), start=1):
        chosen = set(current.answers.get(str(q["id"]), []))
        # Without correctness shown, every question gets its explanation: showing it only for the
        # wrong ones would tell which those are.
        explain = review.explanation and (not ok or not review.correctness)
        rows.append(
            {
                "number": number,
                "situation": q["situation"],
                "text": q["text"],
                "ok": ok if review.correctness else None,
                "chosen": [c["text"] for c in q["choices"] if c["id"] in chosen],
                "correct": [c["text"] for c in q["choices"] if c["correct"]] if review.correct_choice else [],
                "explanation": q["explanation"] if explain else "",
                "case_page": pages.get(q.get("case_page_id")) if explain else None,
                "rule_page": pages.get(q.get("rule_page_id")) if explain else None,
            }
        )
    rules = selectors.quiz_rules(quiz=quiz, person=current.person, context=current.context)
    newest = selectors.attempts_for(person=current.person, quiz=quiz, context=current.context).first()
    late = [
        {"number": n, "chosen": [c["text"] for c in q["choices"] if c["id"] in current.late_answers[str(q["id"])]]}
        for n, q in enumerate(current.questions, start=1)
        if str(q["id"]) in current.late_answers
    ]
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": current,
            "quiz": quiz,
            "rows": rows,
            "review": review,
            "wrong_count": sum(1 for r in rows if r["ok"] is False),
            "can_retake": rules.can_start and newest is not None and newest.pk == current.pk,
            "rules": rules,
            "attempts_left": rules.attempts_left,
            "late": late,
            "now": timezone.now(),
            "next_steps": _next_steps(request, current),
        },
    )


def _next_steps(request: HttpRequest, attempt: Attempt) -> list[str]:
    """What to do after this attempt, from the apps that use quizzes (training: the certificate or
    the lessons still unread). Quizzes knows nothing of them: they answer the quiz_result_panels hook."""
    panels = (fn(request, attempt=attempt) for fn in hooks.get_hooks("quiz_result_panels"))
    return [mark_safe(html) for html in panels if html]  # noqa: S308 - rendered by the app's template


@require_POST
def attempt_retake(request: HttpRequest, public_id) -> HttpResponse:
    """Start the next attempt in the same context (a new draw) and go to it."""
    previous = _owned_attempt(request, public_id)
    try:
        new = services.attempt_start(
            person=request.user, quiz=previous.quiz, context=previous.context, return_url=previous.return_url
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(previous)
    return redirect(new)
