"""A lesson counts as read only after time the server recorded, and the module page says what to expect."""

import datetime as dt
import math

import pytest
import time_machine
from django.core.exceptions import ValidationError
from wagtail.rich_text import RichText

from training import services
from training.models import Assignment, LessonProgress

from .conftest import jst


@pytest.fixture
def assignment(make_module, make_person, make_quiz):
    module = make_module(
        "basics",
        everyone=True,
        quiz=make_quiz(questions=4, max_attempts=3, time_limit_minutes=15),
        lesson_count=3,
        estimated_minutes=25,
    )
    person = make_person()
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        services.assignments_sync()
    return Assignment.objects.get(person=person, module=module)


def test_three_lessons_marked_read_in_under_half_a_second_are_refused(assignment):
    """The case from the issue: nothing opened, or opened and 'read' at once, records nothing."""
    keys = assignment.module.lesson_keys()
    start = jst(2026, 6, 2, 10, 0)
    for n, key in enumerate(keys):
        with time_machine.travel(start + dt.timedelta(milliseconds=100 * n), tick=False):
            if n:
                services.lesson_open(assignment=assignment, lesson_key=key)
            with pytest.raises(ValidationError) as refused:
                services.lesson_mark_read(assignment=assignment, lesson_key=key)
            assert refused.value.code == "too_fast"
    assert not LessonProgress.objects.filter(assignment=assignment).exists()


def test_the_minimum_time_grows_with_the_length_of_the_lesson(assignment, make_module):
    short = assignment.module.lesson_list()[0]
    assert services.lesson_min_seconds(lesson=short) == services.LESSON_MIN_SECONDS
    long_module = make_module(
        "long",
        everyone=True,
        lessons=[("lesson", {"title": "長い", "body": [("paragraph", RichText("<p>" + "規" * 6000 + "</p>"))]})],
    )
    long_lesson = long_module.lesson_list()[0]
    # 6,000 characters of text (and the two of the title) at the fast reading pace.
    assert services.lesson_min_seconds(lesson=long_lesson) == math.ceil(6003 * 60 / services.READING_CHARS_PER_MINUTE)


def test_a_lesson_counts_after_its_minimum_time_from_the_servers_own_record(assignment):
    key = assignment.module.lesson_keys()[0]
    minimum = services.lesson_min_seconds(lesson=assignment.module.lesson_list()[0])
    opened = jst(2026, 6, 2, 10, 0)
    with time_machine.travel(opened, tick=False):
        services.lesson_open(assignment=assignment, lesson_key=key)
    with (
        time_machine.travel(opened + dt.timedelta(seconds=minimum - 1), tick=False),
        pytest.raises(ValidationError),
    ):
        services.lesson_mark_read(assignment=assignment, lesson_key=key)
    with time_machine.travel(opened + dt.timedelta(seconds=minimum), tick=False):
        services.lesson_mark_read(assignment=assignment, lesson_key=key)
    assert LessonProgress.objects.filter(assignment=assignment, lesson_key=key).exists()


def test_reaching_the_end_counts_but_not_right_after_opening(assignment):
    key = assignment.module.lesson_keys()[0]
    opened = jst(2026, 6, 2, 10, 0)
    with time_machine.travel(opened, tick=False):
        services.lesson_open(assignment=assignment, lesson_key=key)
        services.lesson_end_reached(assignment=assignment, lesson_key=key)  # in view at once: a skip
    with time_machine.travel(opened + dt.timedelta(seconds=2), tick=False), pytest.raises(ValidationError):
        services.lesson_mark_read(assignment=assignment, lesson_key=key)
    with time_machine.travel(opened + dt.timedelta(seconds=services.LESSON_END_MIN_SECONDS), tick=False):
        services.lesson_end_reached(assignment=assignment, lesson_key=key)
        services.lesson_mark_read(assignment=assignment, lesson_key=key)
    assert LessonProgress.objects.filter(assignment=assignment, lesson_key=key).exists()


def test_the_module_page_shows_minutes_questions_attempts_left_and_time_limit(client, assignment):
    client.force_login(assignment.person)
    html = client.get(assignment.module.url).content.decode()
    assert "約25分" in html
    assert "問題数" in html and "4問" in html
    assert "制限時間" in html and "15分" in html
    assert "残りの受験回数" in html and "残り3回（全3回）" in html


def test_the_lesson_page_reports_its_end_to_the_server(client, assignment):
    key = assignment.module.lesson_keys()[0]
    client.force_login(assignment.person)
    html = client.get(f"{assignment.module.url}lessons/{key}/").content.decode()
    assert f'data-end-url="{assignment.module.url}lessons/{key}/end/"' in html
    assert "training/lesson_end" in html
    assert client.get(f"{assignment.module.url}lessons/{key}/end/").status_code == 405
    assert client.post(f"{assignment.module.url}lessons/{key}/end/").status_code == 204
    assert assignment.lesson_visits.get(lesson_key=key).end_reached_at is not None
