"""Demo training: the story's modules, assigned through the real sync, with a history of completions.

History is made by calling the real services with the moment they act at (`now=`): the modules
are published and assigned at the start of the current fiscal year, and a deterministic share
of people read their lessons and pass the quiz on days spread between then and yesterday. So
every row, certificate and audit entry is one the services wrote, with its historical time.
The demo accounts are left with open training so the portal shows something to do.

The modules' and the code of conduct's text is data, in `demo_data/` (modules.json: each module
with its audience, due rule, quiz and lessons, a lesson being a list of paragraph, callout and
scenario sections; code-of-conduct.json: its versions).

Idempotent: existing modules are left as editors made them, finished work is never redone.
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.rich_text import RichText

from people.models import EmploymentType, JobRole, Person, Unit
from portal.models import HomePage

from . import selectors, services
from .dates import JST, fiscal_year_bounds, fiscal_year_of, today_jst
from .models import Assignment, AttestationDocument, TrainingIndexPage, TrainingModulePage


def _data(name: str):
    return json.loads(Path(__file__).with_name("demo_data").joinpath(name).read_text(encoding="utf-8"))


CONTENT = _data("modules.json")
MODULES = CONTENT["modules"]
CODE_OF_CONDUCT = _data("code-of-conduct.json")

DEMO_EMAILS = {
    "sales@example.jp",
    "cc@example.jp",
    "temp@example.jp",
    "contractor@example.jp",
    "manager@example.jp",
    "compliance@example.jp",
    "handler@example.jp",
    "admin@example.jp",
}
# Share of people (percent) who have finished each module by now, and who failed a first attempt.
COMPLETION_RATE = {
    "conduct-basics": 72,
    "sales-office": 58,
    "call-centre": 64,
    "executives": 88,
    "contractors-temps": 45,
}
FIRST_FAIL_RATE = 18
ACK_RATE = 80


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16)


def _sections(sections: list[dict]) -> list:
    blocks = []
    for section in sections:
        kind = section["type"]
        if kind == "paragraph":
            blocks.append(("paragraph", RichText(f"<p>{section['text']}</p>")))
        elif kind == "callout":
            text = RichText(f"<p>{section['text']}</p>")
            blocks.append(("callout", {"tone": section["tone"], "title": section["title"], "text": text}))
        elif kind == "scenario":
            scenario = {
                "situation": section["situation"],
                "question": CONTENT["scenario_question"],
                "options": section["options"],
                "recommended": section["recommended"],
                "explanation": RichText(f"<p>{section['explanation']}</p>"),
            }
            blocks.append(("scenario", scenario))
    return blocks


def _index(stdout) -> TrainingIndexPage | None:
    index = TrainingIndexPage.objects.first()
    if index:
        return index
    home = HomePage.objects.first()
    if home is None:
        stdout.write("  training: no home page yet; skipped")
        return None
    index = TrainingIndexPage(**CONTENT["index"])
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _module(index: TrainingIndexPage, spec: dict, *, published_at: dt.datetime) -> tuple[TrainingModulePage, bool]:
    existing = TrainingModulePage.objects.filter(slug=spec["slug"]).first()
    if existing:
        return existing, False
    from quizzes.models import Quiz

    due = dict(spec["due"])
    if "due_date" in due:
        due["due_date"] = dt.date.fromisoformat(due["due_date"])
    page = TrainingModulePage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        lessons=[
            ("lesson", {"title": lesson["title"], "body": _sections(lesson["sections"])}) for lesson in spec["lessons"]
        ],
        quiz=Quiz.objects.filter(slug=spec["quiz"]).first(),
        audience_everyone=spec["audience"].get("everyone", False),
        cycle=TrainingModulePage.Cycle.ANNUAL,
        estimated_minutes=spec["minutes"],
        # Wagtail keeps a first publication time it is given; the revision and the last
        # publication are dated by the real clock.
        first_published_at=published_at,
        **due,
    )
    page.audience_units = list(Unit.objects.filter(code__in=spec["audience"].get("units", [])))
    page.audience_employment_types = list(EmploymentType.objects.filter(code__in=spec["audience"].get("etypes", [])))
    page.audience_job_roles = list(JobRole.objects.filter(code__in=spec["audience"].get("roles", [])))
    index.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _moment(start: dt.date, span_days: int, *key: str) -> dt.datetime:
    n = _digest(*key)
    day = start + dt.timedelta(days=n % max(span_days, 1))
    return dt.datetime.combine(day, dt.time(9 + (n // 7) % 9, (n // 13) % 60), tzinfo=JST)


def _complete(assignment: Assignment, when: dt.datetime) -> None:
    from quizzes.services import attempt_start, attempt_submit

    module = assignment.module
    # Each lesson is opened, then marked read once its reading time has passed (as the server requires).
    for number, key in enumerate(module.lesson_keys()):
        opened = when + dt.timedelta(minutes=10 * number)
        services.lesson_open(assignment=assignment, lesson_key=key, now=opened)
        services.lesson_mark_read(assignment=assignment, lesson_key=key, now=opened + dt.timedelta(minutes=9))
    when += dt.timedelta(minutes=10 * len(module.lesson_keys()))
    if module.quiz is None:
        return
    tries = [False, True] if _digest("fail", str(assignment.pk)) % 100 < FIRST_FAIL_RATE else [True]
    for number, right in enumerate(tries):
        at = when + dt.timedelta(minutes=10 + 15 * number)
        attempt = attempt_start(
            person=assignment.person, quiz=module.quiz, context=assignment.quiz_context, return_url=module.url, now=at
        )
        answers = {}
        for question in attempt.questions:
            if right:
                chosen = [c["id"] for c in question["choices"] if c["correct"]]
            else:
                chosen = [next(c["id"] for c in question["choices"] if not c["correct"])]
            answers[str(question["id"])] = chosen
        attempt = attempt_submit(attempt=attempt, answers=answers, now=at)
        # The attempt_graded receiver does the same once the grading commits (dated by the attempt);
        # calling it here records the result even when the loader runs inside a transaction (it is idempotent).
        services.assignment_record_quiz_result(attempt=attempt, now=at)


def load(stdout) -> None:
    index = _index(stdout)
    if index is None:
        return
    today = today_jst()
    fy_start, _fy_end = fiscal_year_bounds(fiscal_year_of(today))
    opened = dt.datetime.combine(fy_start, dt.time(9, 0), tzinfo=JST)
    if opened >= timezone.now():
        opened = timezone.now() - dt.timedelta(hours=1)
    # Publish and assign at the start of the fiscal year, so completions can lie in the past. In one
    # transaction: publishing queues a sync on commit, which must find the assignments already made
    # as of `opened` (with an immediate task backend it would otherwise assign them as of today,
    # with due dates still ahead, and the demo would have nobody overdue).
    with transaction.atomic():
        created = [spec["slug"] for spec in MODULES if _module(index, spec, published_at=opened)[1]]
        result = services.assignments_sync(now=opened)
    services.assignments_sync()
    stdout.write(
        f"  training: {len(MODULES)} modules ({len(created)} new), "
        f"{Assignment.objects.count()} assignments ({result.created} new from this run's sync)"
    )

    span = (today - fy_start).days
    done = 0
    rows = (
        Assignment.objects.filter(status=Assignment.Status.ASSIGNED, archived_at__isnull=True, person__is_active=True)
        .exclude(person__email__in=DEMO_EMAILS)
        .select_related("module", "module__quiz", "person")
        .order_by("pk")
    )
    for assignment in rows:
        slug = assignment.module.slug
        if _digest("done", slug, assignment.person.email) % 100 >= COMPLETION_RATE.get(slug, 50):
            continue
        # Most finish around their due date; some leave it late (overdue), as in a real year.
        window = span
        if _digest("late", slug, assignment.person.email) % 100 >= 25:
            window = min(span, max((assignment.due_date - fy_start).days, 14))
        when = _moment(fy_start, window, slug, assignment.person.email)
        # No outer transaction: each service commits as it goes, and the quiz-graded signal (sent on
        # commit) completes the assignment at the attempt's historical time.
        _complete(assignment, min(when, timezone.now() - dt.timedelta(hours=2)))
        done += 1
    stdout.write(f"  training: {done} completions recorded in the past months")

    _attestations(stdout, opened, fy_start, span)


def _attestations(stdout, opened: dt.datetime, fy_start: dt.date, span: int) -> None:
    spec = CODE_OF_CONDUCT
    document = AttestationDocument.objects.filter(slug=spec["slug"]).first()
    if document is None:
        document = AttestationDocument.objects.create(title=spec["title"], slug=spec["slug"], audience_everyone=True)
    publisher = Person.objects.filter(email="compliance@example.jp").first()
    have = document.versions.count()
    for number, version in enumerate(spec["versions"], start=1):
        if number <= have:
            continue
        services.attestation_publish_version(
            document=document, actor=publisher, now=opened + dt.timedelta(days=30 * (number - 1)), **version
        )
    first = document.versions.order_by("number").first()
    acked = set(first.acknowledgements.values_list("person_id", flat=True))
    count = 0
    for person in Person.objects.filter(is_active=True).exclude(email__in=DEMO_EMAILS).order_by("pk"):
        if person.pk in acked or _digest("ack", person.email) % 100 >= ACK_RATE:
            continue
        when = min(_moment(fy_start, min(span, 25), "ack", person.email), timezone.now() - dt.timedelta(hours=2))
        # Acknowledge the version that was current on that day.
        current = selectors.current_version(document=document, now=when)
        if current and current.pk == first.pk:
            services.attestation_acknowledge(person=person, version=current, now=when)
            count += 1
    stdout.write(f"  training: attestation “{document.title}” with {count} new acknowledgements")
