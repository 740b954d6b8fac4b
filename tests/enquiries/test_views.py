import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from enquiries import services
from enquiries.models import Enquiry

from .conftest import pdf

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:alert(2)">link</a>'


def urls_of(enquiry, attachment=None) -> list[str]:
    found = [
        reverse("enquiries:detail", args=[enquiry.pk]),
        reverse("enquiries:publish", args=[enquiry.pk]),
    ]
    if attachment is not None:
        found.append(attachment.get_absolute_url())
    return found


def test_the_home_page_link_target_shows_the_ask_form(client, asker, rule):
    client.force_login(asker)

    response = client.get(reverse("enquiries:ask"), {"rule": rule.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="subject"' in html and 'name="body"' in html and 'type="file"' in html
    assert f'<option value="{rule.pk}" selected>' in html


def test_asking_creates_an_enquiry_and_shows_it_to_the_asker(client, asker, rule):
    client.force_login(asker)

    response = client.post(
        reverse("enquiries:ask"),
        {"subject": "窓口端末", "body": "使ってよいですか", "rule": rule.pk, "attachment": pdf()},
        follow=True,
    )

    enquiry = Enquiry.objects.get()
    assert response.redirect_chain[-1][0] == enquiry.get_absolute_url()
    assert enquiry.asker == asker and enquiry.rule == rule
    html = response.content.decode()
    assert "窓口端末" in html and "memo.pdf" in html
    listing = client.get(reverse("enquiries:mine")).content.decode()
    assert "窓口端末" in listing


def test_a_bad_attachment_shows_a_clear_message_and_saves_nothing(client, asker):
    client.force_login(asker)

    response = client.post(
        reverse("enquiries:ask"), {"subject": "件名", "body": "本文", "attachment": pdf(content=b"MZ not a pdf")}
    )

    assert response.status_code == 200
    assert "PDF, PNG, JPEG, TXT" in response.content.decode()
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("who", ["other", "admin", "manager"])
def test_everyone_but_the_asker_and_responders_gets_404(client, request, who, asker):
    enquiry = services.enquiry_submit(asker=asker, subject="件名", body="本文", attachment=pdf())
    client.force_login(request.getfixturevalue(who))

    for url in urls_of(enquiry, enquiry.attachments.get()):
        assert client.get(url).status_code == 404, url
    for name in ["answer", "ask_back", "reply", "close"]:
        response = client.post(
            reverse(f"enquiries:{name}", args=[enquiry.pk]), {f"{name}-body": "x", "reply-body": "x"}
        )
        assert response.status_code == 404, name
    assert client.get(reverse("enquiries:queue")).status_code == 404
    assert client.get(reverse("enquiries:detail", args=[enquiry.pk + 1000])).status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.OPEN and not enquiry.messages.exists()
    assert not AuditEntry.objects.filter(action="enquiry.viewed").exists()


def test_the_asker_cannot_use_the_responders_actions(client, asker, enquiry):
    client.force_login(asker)

    assert client.post(reverse("enquiries:answer", args=[enquiry.pk]), {"answer-body": "自分で回答"}).status_code == 404
    assert client.get(reverse("enquiries:publish", args=[enquiry.pk])).status_code == 404
    assert client.get(reverse("enquiries:queue")).status_code == 404


def test_responder_answers_and_the_asker_sees_the_answer(client, responder, asker, enquiry):
    client.force_login(responder)
    response = client.post(
        reverse("enquiries:answer", args=[enquiry.pk]), {"answer-body": "共用窓口の端末は使えません。"}
    )
    assert response.status_code == 302

    client.force_login(asker)
    html = client.get(enquiry.get_absolute_url()).content.decode()

    assert "共用窓口の端末は使えません。" in html
    assert "回答済み" in html
    assert "遵守" not in html  # the asker sees "the enquiry desk", not the responder's name


def test_every_responder_view_is_audited(client, responder, asker, enquiry):
    client.force_login(responder)
    client.get(enquiry.get_absolute_url())
    client.get(enquiry.get_absolute_url())
    client.force_login(asker)
    client.get(enquiry.get_absolute_url())

    viewed = AuditEntry.objects.filter(action="enquiry.viewed", target_id=str(enquiry.pk))
    assert list(viewed.values_list("actor__email", flat=True)) == ["responder@example.jp"] * 2


def test_attachments_download_through_the_view_only(client, responder, asker):
    enquiry = services.enquiry_submit(asker=asker, subject="件名", body="本文", attachment=pdf())
    attachment = enquiry.attachments.get()
    client.force_login(responder)

    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="enquiry.attachment_viewed", target_id=str(enquiry.pk)).exists()
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_ask_back_and_reply_through_the_pages(client, responder, asker, enquiry):
    client.force_login(responder)
    client.post(reverse("enquiries:ask_back", args=[enquiry.pk]), {"ask_back-body": "どの端末ですか"})
    client.force_login(asker)
    page = client.get(enquiry.get_absolute_url()).content.decode()
    assert "どの端末ですか" in page and 'name="reply-body"' in page

    client.post(reverse("enquiries:reply", args=[enquiry.pk]), {"reply-body": "窓口の2台目です"})

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.OPEN
    assert enquiry.messages.last().body == "窓口の2台目です"


def test_queue_marks_overdue_enquiries(client, responder, asker, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC))
    late = services.enquiry_submit(asker=asker, subject="古い質問", body="本文")
    time_machine.move_to(dt.datetime(2026, 11, 10, 1, 0, tzinfo=dt.UTC))
    fresh = services.enquiry_submit(asker=asker, subject="新しい質問", body="本文")
    client.force_login(responder)

    html = client.get(reverse("enquiries:queue")).content.decode()

    rows = {m.group(2): m.group(1) for m in re.finditer(r'<tr class="([^"]*)">\s*<td>(\d+)</td>', html)}
    assert rows[str(late.pk)] == "is-overdue"
    assert rows[str(fresh.pk)] == ""
    assert "期限超過" in html


def test_queue_query_count_does_not_grow_with_the_number_of_enquiries(client, responder, make_person):
    client.force_login(responder)

    def measure(total):
        while Enquiry.objects.count() < total:
            services.enquiry_submit(asker=make_person(), subject="件名", body="本文")
        client.get(reverse("enquiries:queue"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("enquiries:queue"))
        assert len(response.context["enquiries"]) == total
        return len(queries)

    assert measure(2) == measure(20)


def test_staff_nav_links_the_queue_for_responders_only(client, responder, admin, asker):
    queue = reverse("enquiries:queue")
    for person, expected in [(responder, True), (admin, False), (asker, False)]:
        client.force_login(person)
        html = client.get(reverse("enquiries:mine")).content.decode()
        assert (f'<li><a href="{queue}">' in html) is expected, person.email


def assert_neutral(html: str, where: str) -> None:
    assert "<script" not in html.lower(), where
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I), where
    assert not re.search(r"<[^>]+(href|src)\s*=\s*[\"']?\s*javascript:", html, re.I), where


def test_markup_stored_without_sanitising_is_still_escaped_on_output(client, responder, asker, home):
    """Defence in depth: even text that bypassed the input cleaning (old data, a bug) renders inert."""
    enquiry = services.enquiry_submit(asker=asker, subject="件名", body="本文")
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答")
    Enquiry.objects.filter(pk=enquiry.pk).update(subject=XSS, body=XSS)
    enquiry.messages.update(body=XSS)

    for person, url in [
        (asker, reverse("enquiries:mine")),
        (asker, enquiry.get_absolute_url()),
        (asker, "/"),
        (responder, enquiry.get_absolute_url()),
        (responder, reverse("enquiries:queue") + "?show=all"),
        (responder, reverse("enquiries:publish", args=[enquiry.pk])),
    ]:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_neutral(html, url)
        assert "&lt;script&gt;" in html, url


def test_script_and_event_handlers_are_neutralised_on_every_page(client, responder, asker, home, qa_topic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    enquiry = services.enquiry_submit(
        asker=asker,
        subject=XSS,
        body="本文" + XSS,
        attachment=SimpleUploadedFile("<img src=x onerror=alert(1)>.txt", "メモ".encode()),
    )
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答" + XSS)
    services.enquiry_reply(asker=asker, enquiry=enquiry, body="返信" + XSS)
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="再回答")
    pages = [
        (asker, reverse("enquiries:mine")),
        (asker, enquiry.get_absolute_url()),
        (asker, "/"),  # home panel "news on your enquiries"
        (responder, enquiry.get_absolute_url()),
        (responder, reverse("enquiries:queue") + "?show=all"),
        (responder, reverse("enquiries:publish", args=[enquiry.pk])),
    ]
    for person, url in pages:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_neutral(response.content.decode(), url)


def test_publish_page_saves_a_draft_and_returns_to_the_enquiry_without_editor_rights(
    client, responder, enquiry, qa_topic
):
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答です")
    client.force_login(responder)

    response = client.post(
        reverse("enquiries:publish", args=[enquiry.pk]),
        {"question": "窓口端末を使ってよいか", "answer": "使えません", "topic": qa_topic.pk},
    )

    assert response.status_code == 302 and response["Location"] == enquiry.get_absolute_url()
    from portal.models import QAPage

    assert QAPage.objects.get(pk=qa_topic.pk).get_latest_revision_as_object().items.count() == 2


def test_publish_page_sends_an_editor_to_the_draft_in_wagtail(client, responder, enquiry, qa_topic):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from people.roles import ENQUIRY_RESPONDERS

    GroupPagePermission.objects.create(
        group=Group.objects.get(name=ENQUIRY_RESPONDERS),
        page=qa_topic.get_parent(),
        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page"),
    )
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答です")
    client.force_login(responder)

    response = client.post(
        reverse("enquiries:publish", args=[enquiry.pk]),
        {"question": "窓口端末を使ってよいか", "answer": "使えません", "new_topic_title": "窓口の端末"},
    )

    page = enquiry.__class__.objects.get(pk=enquiry.pk).published_qa_page
    assert page is not None and not page.live
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_publish_form_requires_exactly_one_destination(client, responder, enquiry, qa_topic):
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答です")
    client.force_login(responder)

    response = client.post(
        reverse("enquiries:publish", args=[enquiry.pk]),
        {"question": "質問", "answer": "回答", "topic": qa_topic.pk, "new_topic_title": "両方"},
    )

    assert response.status_code == 200
    assert "どちらか一方" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.published_qa_page is None


def test_my_enquiries_query_count_does_not_grow(client, asker):
    client.force_login(asker)

    def measure(total):
        while Enquiry.objects.count() < total:
            services.enquiry_submit(asker=asker, subject="件名", body="本文")
        client.get(reverse("enquiries:mine"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("enquiries:mine"))
        assert len(response.context["enquiries"]) == total
        return len(queries)

    assert measure(2) == measure(15)


def test_home_page_tells_the_asker_about_a_recent_answer(client, responder, asker, enquiry, home, time_machine):
    services.enquiry_answer(responder=responder, enquiry=enquiry, body="回答です")
    client.force_login(asker)

    assert enquiry.subject in client.get("/").content.decode()

    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    assert enquiry.subject not in client.get("/").content.decode()


def test_home_page_shows_responders_the_queue_with_its_overdue_count(client, responder, asker, home, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC))
    services.enquiry_submit(asker=asker, subject="古い質問", body="本文")
    time_machine.move_to(dt.datetime(2026, 11, 10, 1, 0, tzinfo=dt.UTC))
    services.enquiry_submit(asker=asker, subject="新しい質問", body="本文")
    client.force_login(responder)

    html = client.get("/").content.decode()

    panel = re.search(r'<section class="card" aria-labelledby="enquiry-queue-heading">.*?</section>', html, re.S)
    assert panel, "no queue panel on the responder's home page"
    panel = panel.group(0)
    assert f'href="{reverse("enquiries:queue")}"' in panel
    assert re.search(r'<span class="stat-value">2</span>', panel)  # waiting for the desk
    assert re.search(r'<span class="stat-value stat-bad">1</span>', panel)  # of which overdue

    client.force_login(asker)
    assert "enquiry-queue-heading" not in client.get("/").content.decode()
