import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from people.roles import ENQUIRY_RESPONDERS, MANAGERS, SITE_ADMINISTRATORS
from portal.models import HomePage, QAIndexPage, QAItem, QAPage, RuleIndexPage, RulePage

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page.__class__.objects.get(pk=page.pk)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PORTAL_PRIVATE_MEDIA_ROOT


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ホーム", slug="home-enq"))
    # Through save(), so Wagtail drops its cached site root paths (kept in Redis on PostgreSQL runs).
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def rule(home):
    index = publish(home, RuleIndexPage(title="行為規制", slug="rules"))
    return publish(
        index,
        RulePage(
            title="非公開情報の閲覧禁止",
            slug="confidential-information",
            summary="見てはならない情報があります。",
            body=[("paragraph", RichText("<p>見てはならない情報があります。</p>"))],
        ),
    )


@pytest.fixture
def qa_topic(home):
    index = publish(home, QAIndexPage(title="Q&A", slug="qa"))
    topic = QAPage(title="端末の使い方", slug="terminals")
    topic.items = [QAItem(question="NW設定端末を見つけたら？", answer="<p>使わずに報告してください。</p>")]
    return publish(index, topic)


@pytest.fixture
def asker(make_person):
    return make_person(
        email="asker@example.jp",
        family_name="八戸",
        given_name="花子",
        employee_number="E123456",
        unit_code="HACHINOHE",
    )


@pytest.fixture
def other(make_person):
    return make_person(email="other@example.jp")


@pytest.fixture
def responder(mfa_user):
    return mfa_user(ENQUIRY_RESPONDERS, email="responder@example.jp", family_name="遵守", given_name="太郎")


@pytest.fixture
def admin(mfa_user):
    return mfa_user(SITE_ADMINISTRATORS, email="admin@example.jp", is_superuser=True, is_staff=True)


@pytest.fixture
def manager(make_person):
    return make_person(email="manager@example.jp", groups=(MANAGERS,))


@pytest.fixture
def enquiry(asker):
    from enquiries.services import enquiry_submit

    return enquiry_submit(asker=asker, subject="端末の確認について", body="共用窓口の端末を使ってもよいですか。")


def pdf(name="memo.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")
