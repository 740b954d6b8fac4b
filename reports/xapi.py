"""xAPI 1.0.3 statements for a learning-record store: completed modules, passed and failed quizzes.

The actor is an account (the portal's base URL and the employee number: no e-mail address
leaves the company). Statement ids are UUID5 values derived from the assignment or attempt,
so exporting twice gives the same ids and an LRS treats a re-sent statement as the same one.
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
# A fixed namespace for this portal's statement ids (UUID5 of the project's name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:michinoku:conduct-portal:xapi")


class LRSError(RuntimeError):
    pass


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def statement_id(kind: str, pk: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{base_url()}/{kind}/{pk}"))


def actor(employee_number: str, name: str) -> dict:
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": base_url() + "/", "name": employee_number},
    }


def _timestamp(moment) -> str:
    return moment.isoformat(timespec="milliseconds")


def module_statement(assignment: Assignment) -> dict:
    person = assignment.person
    return {
        "id": statement_id("assignment", assignment.pk),
        "actor": actor(person.employee_number or str(person.pk), person.get_full_name()),
        "verb": VERBS["completed"],
        "object": {
            "objectType": "Activity",
            "id": f"{base_url()}/training/modules/{assignment.module_id}",
            "definition": {"type": MODULE_TYPE, "name": {"ja-JP": assignment.module.title}},
        },
        "result": {"completion": True, "success": True},
        "context": {"extensions": {f"{base_url()}/xapi/cycle": assignment.cycle}},
        "timestamp": _timestamp(assignment.completed_at),
        "version": XAPI_VERSION,
    }


def attempt_statement(attempt: Attempt) -> dict:
    person = attempt.person
    score = attempt.score_percent if attempt.score_percent is not None else Decimal(0)
    return {
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


def statements(*, cycle: str, unit_ids: list[int] | None) -> Iterator[dict]:
    """Completions of the assignments in scope, then the graded attempts of people in scope (in the cycle's period)."""
    completed = (
        selectors.population(cycle=cycle, unit_ids=unit_ids)
        .filter(status=Assignment.Status.COMPLETED)
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

    def flush():
        response = requests.post(
            endpoint, data=json.dumps(batch, ensure_ascii=False).encode(), headers=headers, timeout=30
        )
        if response.status_code not in (200, 204):
            raise LRSError(
                _("The learning-record store refused the statements (HTTP %(status)s).")
                % {"status": response.status_code}
            )

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
