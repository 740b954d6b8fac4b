"""A notification batch that dies half-way: the rest go out on the next run, and nobody gets one twice."""

from collections import Counter

import pytest

from whistleblowing import handler_mail, periodic
from whistleblowing.models import HandlerNotice


def test_a_batch_cut_short_sends_the_rest_next_run_and_nobody_twice(make_handler, file_report, mailoutbox, monkeypatch):
    handlers = [make_handler(f"resume-{n}@example.jp") for n in range(3)]
    file_report()
    real_send = handler_mail.send_mail

    def send_then_fail(*args, **kwargs):
        if mailoutbox:  # the mail server goes away after the first message
            raise ConnectionRefusedError
        return real_send(*args, **kwargs)

    monkeypatch.setattr(handler_mail, "send_mail", send_then_fail)
    with pytest.raises(ConnectionRefusedError):
        periodic.send_pending_notifications()
    assert len(mailoutbox) == 1
    assert HandlerNotice.objects.count() == 2  # owed, not forgotten

    monkeypatch.setattr(handler_mail, "send_mail", real_send)
    assert periodic.send_pending_notifications() == 2
    assert periodic.send_pending_notifications() == 0
    assert Counter(m.to[0] for m in mailoutbox) == Counter(h.email for h in handlers)
    assert not HandlerNotice.objects.exists()
