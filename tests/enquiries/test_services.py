import datetime as dt
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEntry
from enquiries import services
from enquiries.models import Enquiry, EnquiryAttachment
from portal.models import QAPage
from portal.search.query import search_pages

from .conftest import pdf


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def actions(enquiry) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="enquiries.enquiry", target_id=str(enquiry.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_submit_sanitises_sets_the_due_date_and_audits(asker, settings):
    settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS = 3

    enquiry = services.enquiry_submit(
        asker=asker, subject="<b>端末</b>について", body="<script>alert(1)</script>使ってよいですか"
    )

    assert enquiry.subject == "端末について"
    assert enquiry.body == "alert(1)使ってよいですか"
    assert enquiry.status == Enquiry.Status.OPEN
    assert enquiry.due_at.date() > enquiry.created_at.date()
    assert actions(enquiry) == ["enquiry.submitted"]


def test_a_question_that_is_only_markup_is_refused_and_nothing_is_saved(asker):
    with pytest.raises(ValidationError) as raised:
        services.enquiry_submit(asker=asker, subject="件名", body="<script></script>")

    assert "body" in raised.value.message_dict
    assert not Enquiry.objects.exists()


def test_answer_notifies_the_asker_with_a_link_and_no_content(responder, enquiry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.enquiry_answer(responder=responder, enquiry=enquiry, body="共用窓口の端末は使えません。")

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ANSWERED
    assert enquiry.first_answered_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asker@example.jp"]
    assert f"/enquiries/{enquiry.pk}/" in message.body
    for secret in ["共用窓口の端末は使えません", enquiry.subject, enquiry.body]:
        assert secret not in message.body and secret not in message.subject
    assert actions(enquiry) == ["enquiry.submitted", "enquiry.answered"]


def test_ask_back_then_reply_restarts_the_clock(responder, asker, enquiry, settings, time_machine):
    services.enquiry_ask_back(responder=responder, enquiry=enquiry, body="どの営業所ですか。")
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.AWAITING_ASKER

    time_machine.move_to(dt.datetime(2030, 1, 7, 10, 0, tzinfo=dt.UTC))  # a Monday
    services.enquiry_reply(asker=asker, enquiry=enquiry, body="八戸営業所です。")

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.OPEN
    assert enquiry.due_at.date() == dt.date(2030, 1, 10)
    assert actions(enquiry)[-2:] == ["enquiry.asked_back", "enquiry.replied"]


def test_only_the_asker_can_reply(other, enquiry):
    with pytest.raises(PermissionDenied):
        services.enquiry_reply(asker=other, enquiry=enquiry, body="横から失礼します")


@pytest.mark.parametrize("who", ["admin", "manager", "other"])
def test_nobody_but_a_responder_can_answer_or_close(request, who, enquiry):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.enquiry_answer(responder=person, enquiry=enquiry, body="回答")
    with pytest.raises(PermissionDenied):
        services.enquiry_close(responder=person, enquiry=enquiry)

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.OPEN


def test_a_closed_enquiry_takes_no_more_messages(responder, asker, enquiry):
    services.enquiry_close(responder=responder, enquiry=enquiry)

    with pytest.raises(ValidationError):
        services.enquiry_answer(responder=responder, enquiry=enquiry, body="追記")
    with pytest.raises(ValidationError):
        services.enquiry_reply(asker=asker, enquiry=enquiry, body="追記")
    assert actions(enquiry) == ["enquiry.submitted", "enquiry.closed"]


def test_responder_views_are_audited_and_the_askers_are_not(responder, asker, admin, enquiry):
    services.enquiry_record_view(viewer=responder, enquiry=enquiry)
    services.enquiry_record_view(viewer=asker, enquiry=enquiry)
    services.enquiry_record_view(viewer=admin, enquiry=enquiry)

    viewed = AuditEntry.objects.filter(action="enquiry.viewed", target_id=str(enquiry.pk))
    assert list(viewed.values_list("actor__email", flat=True)) == ["responder@example.jp"]


# --- attachments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("memo.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
        ("screen.png", png_bytes(), "image/png"),
        ("note.txt", "端末のメモ\n".encode(), "text/plain; charset=utf-8"),
        ("note-sjis.txt", "端末のメモ\n".encode("cp932"), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_attachments_are_kept_outside_public_media(asker, private_media, settings, name, content, content_type):
    enquiry = services.enquiry_submit(
        asker=asker, subject="件名", body="本文", attachment=SimpleUploadedFile(name, content)
    )

    attachment = enquiry.attachments.get()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(private_media)
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert Path(name).stem not in stored.name  # unguessable name
    assert stored.read_bytes() == content
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 - there is no public URL


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00 not a pdf"),  # extension lies about the content
        ("memo.exe", b"%PDF-1.4\n%%EOF\n"),  # content fine, name not allowed
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),  # PNG signature, broken image
        ("page.pdf", png_bytes()),  # a PNG named .pdf
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("binary.txt", b"abc\x00\x01\x02"),
        ("empty.txt", b""),
    ],
)
def test_disallowed_attachments_are_refused_and_nothing_is_saved(asker, name, content):
    with pytest.raises(ValidationError):
        services.enquiry_submit(asker=asker, subject="件名", body="本文", attachment=SimpleUploadedFile(name, content))

    assert not Enquiry.objects.exists()
    assert not EnquiryAttachment.objects.exists()


def test_attachment_over_the_size_limit_is_refused(asker, settings):
    settings.PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    big = pdf(content=b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))

    with pytest.raises(ValidationError) as raised:
        services.enquiry_submit(asker=asker, subject="件名", body="本文", attachment=big)

    assert "MB" in " ".join(raised.value.messages)
    assert not Enquiry.objects.exists()


# --- publish as Q&A --------------------------------------------------------------------


def answered(responder, enquiry, text="NW設定端末は使わず、照会窓口に連絡してください。"):
    services.enquiry_answer(responder=responder, enquiry=enquiry, body=text)
    enquiry.refresh_from_db()
    return enquiry


def test_publish_as_qa_makes_a_draft_without_the_askers_identity(responder, asker, enquiry, qa_topic):
    enquiry = answered(responder, enquiry)

    services.enquiry_publish_as_qa(
        responder=responder,
        enquiry=enquiry,
        question="八戸営業所の八戸 花子（E123456, asker@example.jp）です。共用窓口の端末を使ってもよいですか。",
        answer="八戸花子さん、NW設定端末は使わないでください。",
        topic=qa_topic,
    )

    live = QAPage.objects.get(pk=qa_topic.pk)
    assert live.items.count() == 1  # nothing is published yet
    assert live.has_unpublished_changes
    draft = live.get_latest_revision_as_object()
    texts = [(item.question, item.answer) for item in draft.items.all()]
    assert len(texts) == 2
    question, answer = texts[-1]
    for detail in ["八戸 花子", "八戸花子", "花子", "E123456", "asker@example.jp", "八戸営業所"]:
        assert detail not in question and detail not in answer, detail
    assert "共用窓口の端末を使ってもよいですか" in question
    assert "NW設定端末は使わないでください" in answer
    enquiry.refresh_from_db()
    assert enquiry.published_qa_page_id == qa_topic.pk
    assert actions(enquiry)[-1] == "enquiry.published_as_qa"


def test_publish_as_new_topic_is_unpublished_until_an_editor_publishes_it_then_searchable(
    responder, asker, enquiry, qa_topic, django_capture_on_commit_callbacks
):
    enquiry = answered(responder, enquiry, text="スイッチング照会は正規ルートで行います。")

    page = services.enquiry_publish_as_qa(
        responder=responder,
        enquiry=enquiry,
        question="スイッチングの確認に窓口端末を使ってよいですか",
        answer="スイッチング照会は正規ルートで行います。",
        new_topic_title="スイッチング照会",
    )

    page = QAPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.get_parent().pk == qa_topic.get_parent().pk
    assert not any(p.pk == page.pk for p in search_pages(asker, "スイッチング照会"))

    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish()  # what an editor does in the admin
    # In production the worker indexes after the commit; the immediate test backend runs too early.
    from wagtail.search import index

    index.insert_or_update_object(QAPage.objects.get(pk=page.pk))

    assert [p.pk for p in search_pages(asker, "正規ルート")] == [page.pk]


def test_an_unanswered_enquiry_cannot_be_published(responder, enquiry, qa_topic):
    with pytest.raises(ValidationError):
        services.enquiry_publish_as_qa(
            responder=responder, enquiry=enquiry, question="質問", answer="回答", topic=qa_topic
        )


def test_only_responders_can_publish(admin, responder, enquiry, qa_topic):
    enquiry = answered(responder, enquiry)

    with pytest.raises(PermissionDenied):
        services.enquiry_publish_as_qa(responder=admin, enquiry=enquiry, question="質問", answer="回答", topic=qa_topic)


def test_adding_details_to_a_waiting_question_keeps_its_due_date(asker, enquiry, time_machine):
    due = enquiry.due_at
    time_machine.move_to(enquiry.created_at + dt.timedelta(days=2))

    services.enquiry_reply(asker=asker, enquiry=enquiry, body="補足です。")

    enquiry.refresh_from_db()
    assert enquiry.due_at == due
    assert enquiry.status == Enquiry.Status.OPEN
