"""A file-based e-mail backend that stops before sending once FAULTS_MAIL_HANG_AFTER messages are in
the folder, and drops a `hanging` marker there, so a test can kill its worker between two e-mails."""

import os
import re
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


def recipients(folder: Path) -> list[str]:
    """The To: address of every message the file-based backend wrote (one file may hold several)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        found += re.findall(r"^To: (.+)$", path.read_text(errors="replace"), flags=re.MULTILINE)
    return found


class HangingEmailBackend(EmailBackend):
    def send_messages(self, email_messages):
        folder = Path(self.file_path)
        if len(recipients(folder)) >= int(os.environ["FAULTS_MAIL_HANG_AFTER"]):
            (folder / "hanging").touch()
            time.sleep(120)  # the test kills us long before; if it does not, fail loudly
            raise RuntimeError("HangingEmailBackend was not killed")
        return super().send_messages(email_messages)
