"""Test settings for a task worker whose e-mail hangs before the N-th message (tests/deployment/test_faults.py)."""

from portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.deployment.hanging_mail.HangingEmailBackend"
