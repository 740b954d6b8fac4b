"""xAPI 1.0.3 statements for a learning-record store: completed modules, passed and failed quizzes.

The actor is an account (the activity IRI base and the employee number: no e-mail address
leaves the company). Statement ids are UUID5 values of IRIs under `XAPI_ACTIVITY_IRI_BASE`, a
setting made once and never changed, so exporting twice, or after the portal's host name
changed, gives the same ids and an LRS treats a re-sent statement as the same one.
`context.registration` is the UUID5 of the assignment's IRI, the same for every statement
about that assignment (its completion or failing out, and its quiz attempts).
"""

import json
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from quizzes.models import Attempt
from training.models import Assignment

from . import selectors

XAPI_VERSION = "1.0.3"
VERBS = {
    "completed": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "ja-JP": "修了"}},
    "passed": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed", "ja-JP": "合格"}},
    "failed": {"id": "http://adlnet.gov/expapi/verbs/failed", "display": {"en-US": "failed", "ja-JP": "不合格"}},
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"


class LRSError(RuntimeError):
    pass


DELIVERED = (200, 204, 409)


def base_url() -> str:
    """The IRI base of activities, accounts and statement ids; deliberately not the site's URL."""
    return settings.XAPI_ACTIVITY_IRI_BASE.rstrip("/")


def statement_id(kind: str, pk: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/statements/{kind}/{pk}"))


def registration(assignment_id: int) -> str:
    """One UUID per assignment: an LRS groups the statements of one assignment by it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/assignments/{assignment_id}"))


def actor(employee_number: str, name: str) -> dict:
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": base_url() + "/accounts", "name": employee_number},
    }


def _timestamp(moment) -> str:
    return moment.isoformat(timespec="milliseconds")


def module_statement(assignment: Assignment) -> dict:
    """`completed` for a completed assignment; `failed` for one that failed out (the last allowed
    attempt failed), one statement per round, so a later reset and pass add to the record."""
    person = assignment.person
    failed = assignment.status == Assignment.Status.FAILED_OUT
    return {
        "id": (
            statement_id(f"assignment-failed-out/{assignment.attempt_round}", assignment.pk)
            if failed
            else statement_id("assignment", assignment.pk)
        ),
        "actor": actor(person.employee_number or str(person.pk), person.get_full_name()),
        "verb": VERBS["failed" if failed else "completed"],
        "object": {
            "objectType": "Activity",
            "id": f"{base_url()}/modules/{assignment.module_id}",
            "definition": {"type": MODULE_TYPE, "name": {"ja-JP": assignment.module.title}},
        },
        "result": {"completion": not failed, "success": not failed},
        "context": {
            "registration": registration(assignment.pk),
            "extensions": {f"{base_url()}/extensions/cycle": assignment.cycle},
        },
        "timestamp": _timestamp(assignment.failed_out_at if failed else assignment.completed_at),
        "version": XAPI_VERSION,
    }


def attempt_statement(attempt: Attempt) -> dict:
    person = attempt.person
    score = attempt.score_percent if attempt.score_percent is not None else Decimal(0)
    statement = {
        "id": statement_id("attempt", attempt.pk),
        "actor": actor(person.employee_number or str(person.pk), person.get_full_name()),
        "verb": VERBS["passed" if attempt.passed else "failed"],
        "object": {
            "objectType": "Activity",
            "id": f"{base_url()}/quizzes/{attempt.quiz_id}",
            "definition": {"type": ASSESSMENT_TYPE, "name": {"ja-JP": attempt.quiz.title}},
        },
        "result": {
            "score": {"scaled": float(round(score / 100, 4)), "raw": float(score), "min": 0, "max": 100},
            "success": bool(attempt.passed),
            "completion": True,
        },
        "timestamp": _timestamp(attempt.submitted_at),
        "version": XAPI_VERSION,
    }
    assignment_id = assignment_id_of(attempt.context)
    if assignment_id is not None:
        statement["context"] = {"registration": registration(assignment_id)}
    return statement


def assignment_id_of(context: str) -> int | None:
    """The assignment of a quiz context (`assignment:<pk>`, or `assignment:<pk>:<round>` after a reset)."""
    parts = (context or "").split(":")
    if len(parts) in (2, 3) and parts[0] == "assignment" and parts[1].isascii() and parts[1].isdigit():
        return int(parts[1])
    return None


def statements(*, cycle: str, unit_ids: list[int] | None) -> Iterator[dict]:
    """Completions and fail-outs of the assignments in scope, then the graded attempts of people in scope
    (in the cycle's period)."""
    completed = (
        selectors.population(cycle=cycle, unit_ids=unit_ids)
        .filter(status__in=[Assignment.Status.COMPLETED, Assignment.Status.FAILED_OUT])
        .select_related("person", "module")
        .order_by("pk")
    )
    for assignment in completed.iterator(chunk_size=2000):
        yield module_statement(assignment)
    attempts = Attempt.objects.filter(status=Attempt.Status.SUBMITTED, person__is_active=True)
    period = selectors.cycle_period(cycle)
    if period:
        attempts = attempts.filter(submitted_at__gt=period[0], submitted_at__lte=period[1])
    if unit_ids is not None:
        attempts = attempts.filter(person__unit_id__in=unit_ids)
    for attempt in attempts.select_related("person", "quiz").order_by("pk").iterator(chunk_size=2000):
        yield attempt_statement(attempt)


def json_chunks(items: Iterator[dict]) -> Iterator[bytes]:
    """A JSON array, one statement at a time."""
    yield b"["
    first = True
    for item in items:
        yield (b"" if first else b",\n") + json.dumps(item, ensure_ascii=False).encode()
        first = False
    yield b"]\n"


REQUIRED = ("id", "actor", "verb", "object", "timestamp")


def validate(statement: dict) -> list[str]:
    """Structural checks of xAPI 1.0.3 §2.4 for the statements we make (an LRS checks the rest)."""
    problems = [f"missing {k}" for k in REQUIRED if k not in statement]
    try:
        uuid.UUID(statement.get("id", ""))
    except ValueError:
        problems.append("id is not a UUID")
    account = statement.get("actor", {}).get("account", {})
    if not (account.get("homePage", "").startswith(("http://", "https://")) and account.get("name")):
        problems.append("actor account needs homePage (IRL) and name")
    if not str(statement.get("verb", {}).get("id", "")).startswith("http"):
        problems.append("verb id is not an IRI")
    if not str(statement.get("object", {}).get("id", "")).startswith("http"):
        problems.append("object id is not an IRI")
    result = statement.get("result", {})
    scaled = result.get("score", {}).get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        problems.append("score.scaled out of range")
    return problems


def lrs_settings() -> tuple[str, str]:
    url = getattr(settings, "XAPI_LRS_URL", None) or os.environ.get("XAPI_LRS_URL", "")
    auth = getattr(settings, "XAPI_LRS_AUTH", None) or os.environ.get("XAPI_LRS_AUTH", "")
    return url, auth


def refuse_unless_delivered(status: int) -> None:
    # 200: stored. 204 or 409: the LRS already holds a statement with this id (our ids are stable,
    # so a re-sent statement is the same statement): delivered, and the push goes on.
    if status not in DELIVERED:
        raise LRSError(_("The learning-record store refused the statements (HTTP %(status)s).") % {"status": status})


def push(*, cycle: str, unit_ids: list[int] | None, batch_size: int = 500) -> int:
    """POST the statements to the configured LRS in batches; returns how many were sent."""
    import requests

    url, auth = lrs_settings()
    if not url:
        raise LRSError(_("No learning-record store is configured (XAPI_LRS_URL)."))
    endpoint = url.rstrip("/") + "/statements"
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = auth
    sent, batch = 0, []

    def post(items: list[dict]) -> int:
        return requests.post(
            endpoint, data=json.dumps(items, ensure_ascii=False).encode(), headers=headers, timeout=30
        ).status_code

    def flush():
        status = post(batch)
        if status == 409 and len(batch) > 1:
            # Some ids are already stored, and the LRS may have refused the whole batch for them:
            # each statement again on its own, where a 409 means that one is already there.
            for item in batch:
                refuse_unless_delivered(post([item]))
        else:
            refuse_unless_delivered(status)

    for statement in statements(cycle=cycle, unit_ids=unit_ids):
        batch.append(statement)
        if len(batch) >= batch_size:
            flush()
            sent += len(batch)
            batch = []
    if batch:
        flush()
        sent += len(batch)
    return sent
