"""Demo pages for the portal: home, conduct rules, Q&A and news (text in `demo_content`)."""

from datetime import date

from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction, Site, Task, Workflow

from people import roles

from . import demo_content as content
from .models import HomePage, NewsIndexPage, NewsPage, QAIndexPage, QAItem, QAPage, RuleIndexPage, RulePage


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
    home = HomePage(title="ホーム", slug="portal", intro=content.HOME_INTRO)
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site:
        site.root_page = home
        site.site_name = "行為規制コンプライアンスポータル"
        site.save()
    else:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    if old_root and old_root.pk != home.pk and not old_root.get_children().exists():
        old_root.delete()  # Wagtail's "Welcome" placeholder page
    return home


# Wagtail's migrations create these in English; an editor of a Japanese portal meets them in the
# explorer's breadcrumbs ("Root") and on the editor's "submit to …" button.
WAGTAIL_DEFAULT_NAMES = {"Root": "ルート", "Moderators approval": "承認者による承認"}


def _wagtail_defaults_in_japanese() -> None:
    root = Page.get_first_root_node()
    if root.title in WAGTAIL_DEFAULT_NAMES:
        root.title = root.draft_title = WAGTAIL_DEFAULT_NAMES[root.title]
        root.save(update_fields=["title", "draft_title"])
    for model in (Workflow, Task):
        for english, japanese in WAGTAIL_DEFAULT_NAMES.items():
            model.objects.filter(name=english).update(name=japanese)


def load(stdout) -> None:
    _wagtail_defaults_in_japanese()
    home = _home()
    rules, _ = _child(
        home,
        RuleIndexPage,
        "rules",
        title="行為規制のルール",
        intro="<p>部門ごとに「あなたの業務では」を解説しています。</p>",
    )
    created = 0
    for spec in content.RULES + [content.RESTRICTED_RULE]:
        _page, new = _child(
            rules,
            RulePage,
            spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            legal_basis=spec["legal_basis"],
            body=spec["body"],
        )
        created += new
    restricted = RulePage.objects.get(slug=content.RESTRICTED_RULE["slug"])
    if not PageViewRestriction.objects.filter(page=restricted).exists():
        restriction = PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.add(Group.objects.get(name=roles.COMPLIANCE_EDITORS))

    qa_index, _ = _child(home, QAIndexPage, "qa", title="Q&A", intro="<p>よくある質問と回答です。</p>")
    for spec in content.QA_TOPICS:
        if qa_index.get_children().filter(slug=spec["slug"]).exists():
            continue
        topic = QAPage(slug=spec["slug"], title=spec["title"], intro=spec["intro"])
        topic.items = [QAItem(question=q, answer=a, sort_order=i) for i, (q, a) in enumerate(spec["items"])]
        qa_index.add_child(instance=topic)
        topic.save_revision().publish()
        created += 1

    news_index, _ = _child(home, NewsIndexPage, "news", title="お知らせ")
    for spec in content.NEWS:
        _page, new = _child(
            news_index,
            NewsPage,
            spec["slug"],
            title=spec["title"],
            kind=spec["kind"],
            date=date.fromisoformat(spec["date"]),
            author=spec["author"],
            body=spec["body"],
        )
        created += new

    # Related links between the demo rules, set once when the pages are first created.
    transfers = RulePage.objects.get(slug="transfers")
    if not transfers.related:
        transfers.related = [("page", QAPage.objects.get(slug="transfers-and-ids"))]
        transfers.save_revision().publish()
    stdout.write(f"  pages: {created} created")
