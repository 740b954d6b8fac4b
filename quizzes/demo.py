"""Demo question banks and quizzes, in Japanese, built from the cases of the story.

The content is data, in `demo_data/`: banks.json (each question with its kind, situation, text,
choices with their correctness, explanation paragraphs, and the slugs of the case and rule pages
it refers to) and quizzes.json (which banks each quiz draws from, and its settings).

Idempotent: publishing the same content again changes nothing. Case pages (casebook) and rule
pages (portal) are linked by slug when they exist at load time; otherwise the link stays empty
and a later run fills it in.
"""

import json
from pathlib import Path

from wagtail.models import Page

from .services import question_bank_publish, quiz_configure


def _data(name: str):
    return json.loads(Path(__file__).with_name("demo_data").joinpath(name).read_text(encoding="utf-8"))


BANKS = _data("banks.json")
QUIZZES = _data("quizzes.json")


def _page_id(section: str, slug: str | None) -> int | None:
    if not slug:
        return None
    page = Page.objects.live().filter(slug=slug, url_path__contains=f"/{section}/").order_by("pk").first()
    return page.pk if page else None


def load(stdout) -> None:
    missing = set()
    for bank in BANKS:
        questions = []
        for spec in bank["questions"]:
            spec = dict(spec)
            case_slug, rule_slug = spec.pop("case"), spec.pop("rule")
            spec["explanation"] = "".join(f"<p>{para}</p>" for para in spec["explanation"])
            spec["case_page_id"] = _page_id("casebook", case_slug)
            spec["rule_page_id"] = _page_id("rules", rule_slug)
            if case_slug and spec["case_page_id"] is None:
                missing.add(f"/casebook/…/{case_slug}/")
            if rule_slug and spec["rule_page_id"] is None:
                missing.add(f"/rules/{rule_slug}/")
            questions.append(spec)
        question_bank_publish(
            slug=bank["slug"], title=bank["title"], description=bank["description"], questions=questions
        )
    for quiz in QUIZZES:
        settings = {k: v for k, v in quiz.items() if k not in {"slug", "title", "banks"}}
        quiz_configure(slug=quiz["slug"], title=quiz["title"], bank_slugs=quiz["banks"], **settings)
    stdout.write(f"  quizzes: {len(BANKS)} question banks, {len(QUIZZES)} quizzes")
    if missing:
        stdout.write(f"  quizzes: pages not found yet, links left empty: {', '.join(sorted(missing))}")
