"""Demo casebook: the cases of the story, retold for みちのく電力 (a fictional retailer) and
みちのく電力ネットワーク (its fictional grid company). Idempotent: a case that exists is left alone.

The cases are data, in `demo_data/cases.json`: per case what happened (paragraphs), the rules it
broke (by rule page slug, with why), its causes by element of the fraud triangle, the
countermeasures, the lessons per audience and the related Q&A pages (by slug). Rule and Q&A pages
are written by portal/demo.py; a link to a page not there yet is left out and reported.
"""

import datetime as dt
import json
from pathlib import Path

from wagtail.search import index

from portal.models import HomePage, QAPage, RulePage

from .models import CaseDepartment, CaseIndexPage, CaseRuleLink, CaseStudyPage, CauseItem, Countermeasure, Lesson

DATA = json.loads(Path(__file__).with_name("demo_data").joinpath("cases.json").read_text(encoding="utf-8"))
CASES = DATA["cases"]


def _index(stdout) -> CaseIndexPage | None:
    existing = CaseIndexPage.objects.first()
    if existing:
        return existing
    home = HomePage.objects.first()
    if home is None:
        stdout.write("  casebook: no home page yet; skipped")
        return None
    index_page = CaseIndexPage(**DATA["index"])
    home.add_child(instance=index_page)
    index_page.save_revision().publish()
    return index_page


def _case_page(case: dict, missing: set[str]) -> CaseStudyPage:
    page = CaseStudyPage(
        title=case["title"],
        slug=case["slug"],
        summary=case["summary"],
        period_start=dt.date.fromisoformat(case["period_start"]),
        period_end=dt.date.fromisoformat(case["period_end"]),
        units_involved=case["units"],
        people_involved=case["people"],
        records_viewed=case["records"],
        what_happened="".join(f"<p>{p}</p>" for p in case["what_happened"]),
    )
    page.departments = [CaseDepartment(department=d) for d in case["departments"]]
    page.causes = [CauseItem(element=element, text=t) for element, texts in case["causes"].items() for t in texts]
    page.countermeasures = [
        Countermeasure(text=m["text"], status=m["status"], date=dt.date.fromisoformat(m["date"]))
        for m in case["countermeasures"]
    ]
    page.lessons = [Lesson(audience=lesson["audience"], text=lesson["text"]) for lesson in case["lessons"]]
    links = {}
    for link in case["rules"]:
        rule = RulePage.objects.live().filter(slug=link["rule"]).first()
        if rule is None:
            missing.add(f"rule:{link['rule']}")
        else:
            links.setdefault(rule.pk, CaseRuleLink(rule=rule, explanation=link["explanation"]))
    page.rule_links = list(links.values())
    qa_pages = {}
    for slug in case["qa"]:
        qa = QAPage.objects.live().filter(slug=slug).first()
        if qa is None:
            missing.add(f"qa:{slug}")
        else:
            qa_pages.setdefault(qa.pk, qa)
    page.related_qa = [("page", qa) for qa in qa_pages.values()]
    return page


def load(stdout) -> None:
    index_page = _index(stdout)
    if index_page is None:
        return
    created, missing = 0, set()
    existing = set(CaseStudyPage.objects.child_of(index_page).values_list("slug", flat=True))
    for case in CASES:
        if case["slug"] in existing:
            continue
        page = _case_page(case, missing)
        index_page.add_child(instance=page)
        page.save_revision().publish()
        # Index now that the child rows exist (the save signal fires before they are written).
        index.insert_or_update_object(CaseStudyPage.objects.get(pk=page.pk))
        created += 1
    stdout.write(f"  casebook: {created} cases created, {len(CASES) - created} already there")
    if missing:
        stdout.write(f"  casebook: no demo page found for {', '.join(sorted(missing))}; those links were left out")
