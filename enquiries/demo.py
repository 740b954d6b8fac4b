"""Demo enquiries from the sales office and the call centre, some answered, made through the services.

The enquiries are data, in `demo_data/enquiries.json`: asker, subject, body, rule page slug, how
many days ago it came in, and the messages that followed (answer, ask_back or the asker's reply).

Idempotent: an enquiry is recognised by its asker and subject. The demo back-dates a few of
them (a plain timestamp update after the services ran) so the queue shows one that is overdue.
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import RulePage

from . import services
from .business_days import JST, due_at
from .models import Enquiry


def _data(name: str):
    return json.loads(Path(__file__).with_name("demo_data").joinpath(name).read_text(encoding="utf-8"))


DATA = _data("enquiries.json")
ENQUIRIES = DATA["enquiries"]


def load(stdout) -> None:
    people = get_user_model().objects
    responder = people.filter(email=DATA["responder"]).first()
    if responder is None:
        stdout.write("  enquiries: demo accounts missing; skipped")
        return
    created = 0
    for spec in ENQUIRIES:
        asker, subject = people.filter(email=spec["asker"]).first(), spec["subject"]
        if asker is None or Enquiry.objects.filter(asker=asker, subject=subject).exists():
            continue
        rule = RulePage.objects.live().filter(slug=spec["rule"]).first()
        enquiry = services.enquiry_submit(asker=asker, subject=subject, body=spec["body"], rule=rule)
        for message in spec["messages"]:
            kind, text = message["kind"], message["text"]
            if kind == "answer":
                services.enquiry_answer(responder=responder, enquiry=enquiry, body=text)
            elif kind == "ask_back":
                services.enquiry_ask_back(responder=responder, enquiry=enquiry, body=text)
            else:
                services.enquiry_reply(asker=asker, enquiry=enquiry, body=text)
        # Back-date so the queue looks lived in (and one enquiry is overdue).
        day = timezone.localdate() - dt.timedelta(days=spec["days_ago"])
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
