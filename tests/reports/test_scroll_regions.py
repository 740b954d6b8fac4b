"""Page defects the journey suite found at 390 px, checked in the markup and styles that cause them:
a table that scrolls sideways must be reachable by keyboard and named (axe
scrollable-region-focusable), the messages list keeps its list semantics (axe listitem), and
dates never break across lines."""

import re
from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCROLL = re.compile(r'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="([\w-]+)">\s*<table')


def assert_every_table_scrolls_in_a_named_focusable_region(body: str) -> None:
    tables = re.findall(r"<table\b", body)
    regions = SCROLL.findall(body)
    assert tables, "no table on the page"
    assert len(regions) == len(tables), f"{len(tables)} tables, {len(regions)} in a focusable, named region"
    for label_id in regions:
        assert f'id="{label_id}"' in body, label_id


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:dashboard"),
        reverse("reports:unit", args=["HACHINOHE"]),
        reverse("reports:overdue"),
        reverse("reports:person", args=["E0001"]),
        reverse("reports:export_jobs"),
    ],
)
def test_report_tables_scroll_inside_a_named_focusable_region(client, world, url):
    client.force_login(world["admin"])
    response = client.get(url)
    assert response.status_code == 200
    assert_every_table_scrolls_in_a_named_focusable_region(response.content.decode())


def test_report_cards_do_not_scroll_themselves_and_keep_room_for_the_first_column():
    css = (ROOT / "reports/static/reports/reports.css").read_text()
    card = re.search(r"\.rp-card \{[^}]*\}", css).group(0)
    assert "overflow" not in card
    assert re.search(r"table\.rp-table tbody th\[scope=row\] \{ min-width: \d+rem; \}", css)
    assert re.search(r"max-width: 760px\) \{ table\.rp-table th:not\(\.num\), table\.rp-table td:not\(\.num\)", css)


def test_messages_keep_list_semantics_inside_a_live_region(rf):
    request = rf.get("/")
    body = render_to_string(
        "includes/messages.html", {"messages": [Message(constants.SUCCESS, "保存しました。")]}, request=request
    )
    assert re.search(r'<div class="messages-region" role="status">\s*<ul class="messages">\s*<li', body)
    assert not re.search(r"<ul[^>]*\brole=", body)


def test_dates_never_break_across_lines():
    css = (ROOT / "static/css/portal.css").read_text()
    assert re.search(r"(?m)^time, [^{]*\{ white-space: nowrap; \}", css)
    queue = (ROOT / "enquiries/templates/enquiries/queue.html").read_text()
    assert queue.count("<time datetime=") == 2


def test_enquiry_queue_stacks_by_row_on_a_phone():
    queue = (ROOT / "enquiries/templates/enquiries/queue.html").read_text()
    assert '<table class="data queue stack">' in queue
    assert queue.count("<td data-label=") == 5  # every cell but the number names its column
