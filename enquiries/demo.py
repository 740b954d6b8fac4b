"""Demo enquiries from the sales office and the call centre, some answered, made through the services.

Idempotent: an enquiry is recognised by its asker and subject. The demo back-dates a few of
them (a plain timestamp update after the services ran) so the queue shows one that is overdue.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import RulePage

from . import services
from .business_days import JST, due_at
from .models import Enquiry

RESPONDER = "compliance@example.jp"

# (asker, subject, body, rule slug, days ago, [(kind, text)...])
ENQUIRIES = [
    (
        "sales@example.jp",
        "スイッチングの申込みで契約容量を確認する方法",
        "新電力から当社への切り替えを窓口で受け付ける際、お客さまが現在の契約容量をご存じないことがよくあります。"
        "窓口でその場で確認できる方法はありますか。ネットワーク会社への照会だと数日かかると言われ、"
        "お客さまをお待たせしてしまいます。",
        "switching",
        12,
        [
            (
                "answer",
                "窓口の端末でネットワーク会社の情報を確認することはできません。契約容量は、"
                "お客さまの検針票やお客さまご自身が新電力から受け取っている書類で確認していただくか、"
                "ネットワーク会社への正規の照会手続きを使ってください。照会の所要日数は、"
                "お申込みの時点でお客さまにご案内をお願いします。照会フローの改善は推進室で進めています。",
            )
        ],
    ),
    (
        "cc@example.jp",
        "繁忙期の応援で別室の端末を使うよう指示されたとき",
        "引越しシーズンの応援で、普段使っていない会議室の端末を使うように言われました。"
        "どの端末なら使ってよいのか、自分で確認する方法を教えてください。",
        "terminals",
        9,
        [
            (
                "ask_back",
                "確認のため教えてください。その端末の画面右上に表示されている設定区分（小売／NW）は何でしたか。",
            ),
            ("reply", "「NW」と表示されていました。まだ業務には使っていません。"),
            (
                "answer",
                "使わずにご連絡いただきありがとうございます。「NW」と表示される端末は、小売の業務には使えません。"
                "上司に伝えて、小売設定の端末を用意してもらってください。推進室からも職場に連絡し、"
                "端末の設定を切り替えます。",
            ),
        ],
    ),
    (
        "sales@example.jp",
        "共用フロアの複合機にネットワーク会社の書類が残っていた",
        "ネットワーク会社と共用しているフロアの複合機に、ネットワーク会社の工事関係と思われる書類が"
        "置き忘れられていました。中身は見ていません。どうすればよいでしょうか。",
        "shared-buildings",
        1,
        [],
    ),
    (
        "cc@example.jp",
        "委託先のオペレーターからの新電力のお客さまに関する問い合わせ",
        "委託先のオペレーターから「新電力と契約中のお客さまから、今の契約内容を教えてほしいと言われた。"
        "どう答えればよいか」と相談を受けました。どのように案内すればよいですか。",
        "contractors-and-temp-staff",
        8,
        [],
    ),
]


def load(stdout) -> None:
    people = get_user_model().objects
    responder = people.filter(email=RESPONDER).first()
    if responder is None:
        stdout.write("  enquiries: demo accounts missing; skipped")
        return
    created = 0
    for email, subject, body, rule_slug, days_ago, messages in ENQUIRIES:
        asker = people.filter(email=email).first()
        if asker is None or Enquiry.objects.filter(asker=asker, subject=subject).exists():
            continue
        rule = RulePage.objects.live().filter(slug=rule_slug).first()
        enquiry = services.enquiry_submit(asker=asker, subject=subject, body=body, rule=rule)
        for kind, text in messages:
            if kind == "answer":
                services.enquiry_answer(responder=responder, enquiry=enquiry, body=text)
            elif kind == "ask_back":
                services.enquiry_ask_back(responder=responder, enquiry=enquiry, body=text)
            else:
                services.enquiry_reply(asker=asker, enquiry=enquiry, body=text)
        # Back-date so the queue looks lived in (and one enquiry is overdue).
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        received = dt.datetime.combine(day, dt.time(9, 40 + 4 * created), tzinfo=JST)
        moments = {}
        for n, message in enumerate(enquiry.messages.order_by("created_at", "pk"), start=1):
            moments[message.pk] = received + dt.timedelta(hours=22 * n + 2)
            enquiry.messages.filter(pk=message.pk).update(created_at=moments[message.pk])
        answers = enquiry.messages.filter(kind="answer").order_by("created_at").values_list("pk", flat=True)
        last = max(moments.values(), default=received)
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=received,
            last_activity_at=last,
            first_answered_at=moments[answers[0]] if answers else None,
            due_at=due_at(last, settings.PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS),
        )
        created += 1
    stdout.write(f"  enquiries: {created} created, {len(ENQUIRIES) - created} already there")
