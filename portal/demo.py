"""Demo pages for the portal: home, conduct rules, Q&A and news.

The text is data, in `demo_data/` next to this module (site.json, rules.json, qa.json, news.json);
this module only creates the pages from it. Body fields are StreamField data: a list of
[block type, value] pairs.
"""

import json
from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction, Site, Task, Workflow

from people import roles

from .models import HomePage, NewsIndexPage, NewsPage, QAIndexPage, QAItem, QAPage, RuleIndexPage, RulePage


def _data(name: str):
    return json.loads(Path(__file__).with_name("demo_data").joinpath(name).read_text(encoding="utf-8"))


SITE = _data("site.json")
RULES = _data("rules.json")
QA_TOPICS = _data("qa.json")
NEWS = _data("news.json")


def _stream(blocks: list) -> list[tuple]:
    return [(kind, value) for kind, value in blocks]


def _child(parent: Page, model, slug: str, **fields):
    """Create and publish a child page once; an existing page is left as editors made it."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _home() -> HomePage:
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    home = HomePage(**SITE["home"])
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site:
        site.root_page = home
        site.site_name = SITE["site_name"]
        site.save()
    else:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    if old_root and old_root.pk != home.pk and not old_root.get_children().exists():
        old_root.delete()  # Wagtail's "Welcome" placeholder page
    return home


def _wagtail_defaults_in_japanese(names: dict[str, str]) -> None:
    """Wagtail's migrations create these in English; an editor of a Japanese portal meets them in
    the explorer's breadcrumbs ("Root") and on the editor's "submit to …" button."""
    root = Page.get_first_root_node()
    if root.title in names:
        root.title = root.draft_title = names[root.title]
        root.save(update_fields=["title", "draft_title"])
    for model in (Workflow, Task):
        for english, japanese in names.items():
            model.objects.filter(name=english).update(name=japanese)


def _rules(home: HomePage) -> int:
    rules, _ = _child(home, RuleIndexPage, **SITE["rules_index"])
    created = 0
    for spec in RULES:
        page, new = _child(
            rules,
            RulePage,
            spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            legal_basis=spec["legal_basis"],
            body=_stream(spec["body"]),
        )
        created += new
        if spec.get("restricted_to_compliance_editors") and not PageViewRestriction.objects.filter(page=page).exists():
            restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
            restriction.groups.add(Group.objects.get(name=roles.COMPLIANCE_EDITORS))
    return created


def _qa(home: HomePage) -> int:
    qa_index, _ = _child(home, QAIndexPage, **SITE["qa_index"])
    created = 0
    for spec in QA_TOPICS:
        if qa_index.get_children().filter(slug=spec["slug"]).exists():
            continue
        topic = QAPage(slug=spec["slug"], title=spec["title"], intro=spec["intro"])
        topic.items = [
            QAItem(question=item["question"], answer=item["answer"], sort_order=i)
            for i, item in enumerate(spec["items"])
        ]
        qa_index.add_child(instance=topic)
        topic.save_revision().publish()
        created += 1
    return created


def _news(home: HomePage) -> int:
    news_index, _ = _child(home, NewsIndexPage, **SITE["news_index"])
    created = 0
    for spec in NEWS:
        _page, new = _child(
            news_index,
            NewsPage,
            spec["slug"],
            title=spec["title"],
            kind=spec["kind"],
            date=date.fromisoformat(spec["date"]),
            author=spec["author"],
            body=_stream(spec["body"]),
        )
        created += new
    return created


def _related_links() -> None:
    """Related Q&A of the demo rules, set once: an editor's later choice is kept."""
    for spec in RULES:
        if not spec.get("related_qa"):
            continue
        rule = RulePage.objects.get(slug=spec["slug"])
        if not rule.related:
            rule.related = [("page", QAPage.objects.get(slug=slug)) for slug in spec["related_qa"]]
            rule.save_revision().publish()


def load(stdout) -> None:
    _wagtail_defaults_in_japanese(SITE["wagtail_default_names"])
    home = _home()
    created = _rules(home) + _qa(home) + _news(home)
    _related_links()
    stdout.write(f"  pages: {created} created")
