import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from people.models import EmploymentType, JobRole, Unit
from portal.models import HomePage
from quizzes.services import question_bank_publish, quiz_configure
from tests.factories import people as pf
from training.dates import JST
from training.models import TrainingIndexPage, TrainingModulePage


def jst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def read_lesson(*, assignment, lesson_key: str):
    """As a reader does it: the lesson was opened ten minutes ago (its reading time has passed), then marked read."""
    from training import services

    with time_machine.travel(timezone.now() - dt.timedelta(minutes=10), tick=False):
        services.lesson_open(assignment=assignment, lesson_key=lesson_key)
    return services.lesson_mark_read(assignment=assignment, lesson_key=lesson_key)


@pytest.fixture
def org(db):
    """SALES division with two offices, the call centre, and the usual employment types and roles."""
    sales = pf.unit("SALES", "営業部", kind=Unit.Kind.DIVISION)
    units = {
        "SALES": sales,
        "HACHINOHE": pf.unit("HACHINOHE", "八戸営業所", parent=sales),
        "SENDAI_KITA": pf.unit("SENDAI_KITA", "仙台北営業所", parent=sales),
        "CC": pf.unit("CC", "カスタマーセンター", kind=Unit.Kind.CALL_CENTRE),
    }
    for code in ("REGULAR", "TEMP", "CONTRACTOR", "EXECUTIVE"):
        pf.employment_type(code)
    for code in ("SALES", "CALL_CENTRE", "MANAGER"):
        pf.job_role(code)
    # Adding CC before SALES in code order moved SALES's subtree: the units are read as they are now.
    return {code: Unit.objects.get(code=code) for code in units}


@pytest.fixture
def training_index(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ホーム", slug="home-tr"))
    site = Site.objects.filter(is_default_site=True).first() or Site(hostname="localhost", is_default_site=True)
    site.root_page = home
    site.save()  # saving (not .update()) clears Wagtail's cached site roots, which Redis keeps between tests
    Site.clear_site_root_paths_cache()
    index = TrainingIndexPage(title="研修", slug="training-modules")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def lessons(count: int, *, scenario: bool = False) -> list:
    items = []
    for i in range(count):
        body = [("paragraph", RichText(f"<p>レッスン{i + 1}の本文。スイッチングの照会は正式ルートで。</p>"))]
        if scenario:
            body.append(
                (
                    "scenario",
                    {
                        "situation": "共用窓口にNW設定端末があります。",
                        "question": "あなたならどうしますか？",
                        "options": ["使う", "使わずに報告する"],
                        "recommended": 2,
                        "explanation": RichText("<p>非公開情報は閲覧できません。</p>"),
                    },
                )
            )
        items.append(("lesson", {"title": f"レッスン{i + 1}", "body": body}))
    return items


@pytest.fixture
def make_module(training_index, org):
    def make(
        slug: str,
        *,
        everyone: bool = False,
        units: tuple[str, ...] = (),
        etypes: tuple[str, ...] = (),
        roles: tuple[str, ...] = (),
        lesson_count: int = 2,
        quiz=None,
        publish: bool = True,
        **fields,
    ) -> TrainingModulePage:
        fields.setdefault("due_rule", TrainingModulePage.DueRule.DAYS_AFTER)
        fields.setdefault("due_days", 30)
        page = TrainingModulePage(
            title=fields.pop("title", f"モジュール {slug}"),
            slug=slug,
            summary="概要",
            lessons=fields.pop("lessons", None) or lessons(lesson_count, scenario=True),
            quiz=quiz,
            audience_everyone=everyone,
            **fields,
        )
        page.audience_units = list(Unit.objects.filter(code__in=units))
        page.audience_employment_types = list(EmploymentType.objects.filter(code__in=etypes))
        page.audience_job_roles = list(JobRole.objects.filter(code__in=roles))
        training_index.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        return TrainingModulePage.objects.get(pk=page.pk)

    return make


@pytest.fixture
def make_quiz(db):
    def make(slug: str = "basics", *, questions: int = 3, **settings):
        bank = question_bank_publish(
            slug=f"{slug}-bank",
            title=f"{slug} bank",
            questions=[
                {
                    "kind": "single",
                    "text": f"問{i}",
                    "choices": [{"text": "正しい", "correct": True}, {"text": "誤り", "correct": False}],
                    "explanation": "<p>解説</p>",
                }
                for i in range(questions)
            ],
        )
        settings.setdefault("question_count", questions)
        settings.setdefault("pass_mark_percent", 100)
        return quiz_configure(slug=slug, title=f"Quiz {slug}", bank_slugs=[bank.slug], **settings)

    return make


def answers(attempt, *, right: bool = True) -> dict[str, list[str]]:
    return {str(q["id"]): [next(c["id"] for c in q["choices"] if c["correct"] == right)] for q in attempt.questions}


@pytest.fixture
def make_person(org):
    return pf.person
