"""Cache-renewing receivers are connected once Django has started, in every process.

A receiver missing in some process (a task worker, `manage.py shell`) would leave its cached
panel stale after a write made there. They live in modules the apps import when ready, so they
do not depend on when Wagtail happens to import the `wagtail_hooks` modules.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import django
django.setup()
from django.db.models.signals import post_save
from wagtail.models import PageViewRestriction
from quizzes.models import QuestionBank
connected = {getattr(r(), "__module__", "") for r in (ref for _key, ref, *_ in post_save.receivers)}
print(sorted(m for m in connected if m.endswith(("rule_panel", "case_panel", "personal_panels"))))
"""


def test_panel_receivers_are_connected_before_any_hook_is_called():
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['casebook.rule_panel', 'quizzes.case_panel', 'training.personal_panels']"
