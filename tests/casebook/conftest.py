import pytest
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from portal.models import HomePage, QAIndexPage, QAItem, QAPage, RuleIndexPage, RulePage

RULES = [
    ("confidential-information", "非公開情報の閲覧禁止", "ネットワーク会社の非公開情報は閲覧しません。"),
    ("terminals", "PC端末の利用ルール", "小売設定の端末だけを使います。"),
    ("gifts", "贈答品の取扱い", "事例のない規則です。"),
    ("transfers", "異動時のルール", "異動したら前の職場のシステムは使いません。"),
]


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page.__class__.objects.get(pk=page.pk)


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ホーム", slug="home-cb"))
    # Through save(), so Wagtail drops its cached site root paths (kept in Redis on PostgreSQL runs).
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def rules(home):
    index = publish(home, RuleIndexPage(title="行為規制", slug="rules"))
    return {
        slug: publish(
            index,
            RulePage(title=title, slug=slug, summary=summary, body=[("paragraph", RichText(f"<p>{summary}</p>"))]),
        )
        for slug, title, summary in RULES
    }


@pytest.fixture
def qa_pages(home):
    index = publish(home, QAIndexPage(title="Q&A", slug="qa"))
    page = QAPage(title="端末の使い方", slug="terminals")
    page.items = [QAItem(question="NW設定端末を見つけたら？", answer="<p>使わずに報告してください。</p>")]
    return {"terminals": publish(index, page)}


@pytest.fixture
def demo_casebook(home, rules, qa_pages):
    import io

    from casebook import demo

    demo.load(io.StringIO())
    from casebook.models import CaseIndexPage

    return CaseIndexPage.objects.get()


@pytest.fixture
def employee(db, django_user_model):
    return django_user_model.objects.create_user("reader@example.jp", "pw-123456789012", family_name="読者")
