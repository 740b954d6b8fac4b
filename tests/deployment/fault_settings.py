"""Test settings for the fault tests' processes (tests/deployment/test_faults.py).

FAULTS_MAIL_HANG_AFTER=N: e-mail hangs before the N+1-th message, so a worker can be killed mid-task.
FAULTS_RATE_LIMITS=1: the production login rate limits, which take a lock in the cache.
"""

import os

from portal.settings import base
from portal.settings.test import *  # noqa: F403

if os.environ.get("FAULTS_MAIL_HANG_AFTER"):
    EMAIL_BACKEND = "tests.deployment.hanging_mail.HangingEmailBackend"
if os.environ.get("FAULTS_RATE_LIMITS"):
    ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
