"""Taking an attempt and reading its result. Only the owner sees an attempt; anyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .models import Attempt, Quiz

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


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@require_http_methods(["GET", "POST"])
def attempt(request: HttpRequest, public_id) -> HttpResponse:
    current = _owned_attempt(request, public_id)
    if current.is_open:
        current = services.attempt_close_if_expired(attempt=current)
        if not current.is_open and request.method == "POST":
            messages.error(
                request,
                _(
                    "The time limit had passed, so the answers you just sent were not accepted. "
                    "The attempt was graded on the answers saved in time."
                ),
            )
            return redirect(current)
    if request.method == "POST":
        return _post(request, current)
    if not current.is_open:
        return _result(request, current)
    return render(request, "quizzes/attempt_take.html", _take_context(current))


def _post(request: HttpRequest, current: Attempt) -> HttpResponse:
    action = request.POST.get("action", "save")
    answers = _posted_answers(request, current)
    try:
        if action == "submit":
            services.attempt_submit(attempt=current, answers=answers)
        else:
            current = services.attempt_save_answers(attempt=current, answers=answers)
    except ValidationError as error:
        message = " ".join(error.messages)
        if isinstance(error, services.TimeLimitExceeded):
            services.attempt_close_if_expired(attempt=current)
        if _wants_json(request):
            return JsonResponse({"saved": False, "error": message}, status=400)
        messages.error(request, message)
        return redirect(current)
    if action == "submit":
        return redirect(current)
    if _wants_json(request):
        return JsonResponse({"saved": True, "answered": len(current.answers), "total": current.question_count})
    messages.success(request, _("Your answers have been saved. You can come back and finish later."))
    return redirect(current)


def _take_context(current: Attempt) -> dict:
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
    return {
        "attempt": current,
        "quiz": current.quiz,
        "questions": questions,
        "answered": len(current.answers),
        "field_prefix": FIELD_PREFIX,
    }


def _result(request: HttpRequest, current: Attempt) -> HttpResponse:
    quiz = current.quiz
    policy = quiz.show_explanations
    show_explanations = policy == Quiz.ShowExplanations.AFTER_SUBMISSION or (
        policy == Quiz.ShowExplanations.AFTER_PASS
        and (current.passed or selectors.has_passed(person=current.person, quiz=quiz, context=current.context))
    )
    pages = selectors.linked_pages(attempt=current, request=request)
    graded = services.grade_answers(current.questions, current.answers)
    rows = []
    for number, (q, ok) in enumerate(zip(current.questions, graded, strict=True), start=1):
        chosen = set(current.answers.get(str(q["id"]), []))
        rows.append(
            {
                "number": number,
                "situation": q["situation"],
                "text": q["text"],
                "ok": ok,
                "chosen": [c["text"] for c in q["choices"] if c["id"] in chosen],
                "correct": [c["text"] for c in q["choices"] if c["correct"]] if show_explanations else [],
                "explanation": q["explanation"] if show_explanations and not ok else "",
                "case_page": pages.get(q.get("case_page_id")),
                "rule_page": pages.get(q.get("rule_page_id")),
            }
        )
    used = selectors.attempts_for(person=current.person, quiz=quiz, context=current.context).count()
    newest = selectors.attempts_for(person=current.person, quiz=quiz, context=current.context).first()
    can_retake = (
        not current.passed
        and newest is not None
        and newest.pk == current.pk
        and (not quiz.max_attempts or used < quiz.max_attempts)
    )
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": current,
            "quiz": quiz,
            "rows": rows,
            "wrong_count": sum(1 for r in rows if not r["ok"]),
            "show_explanations": show_explanations,
            "can_retake": can_retake,
            "attempts_left": (quiz.max_attempts - used) if quiz.max_attempts else None,
            "now": timezone.now(),
        },
    )


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
