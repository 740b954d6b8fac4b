import os
import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105 - tests only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("PORTAL_TASKS_BACKEND") == "database":
    # Multi-process tests (tests/deployment) need real workers.
    TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default"]}}
ACCOUNT_RATE_LIMITS = False
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
PORTAL_PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The browser tests' portal process (tests/browser/conftest.py) serves static files itself,
# indexed once at start (no per-request rescans: the benchmarks' servers use these settings too),
# and writes e-mails to a folder the tests read.
WHITENOISE_USE_FINDERS = True
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
if os.environ.get("MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])  # noqa: F405
if os.environ.get("PORTAL_PRIVATE_MEDIA_ROOT"):
    PORTAL_PRIVATE_MEDIA_ROOT = Path(os.environ["PORTAL_PRIVATE_MEDIA_ROOT"])  # noqa: F405
# Audit checkpoints belong to one database: a test process (and each e2e server) gets its own
# folder unless told otherwise, so checkpoints of another database never fail its verification.
AUDIT_CHECKPOINT_DIR = Path(  # noqa: F405
    os.environ.get("AUDIT_CHECKPOINT_DIR") or tempfile.mkdtemp(prefix="portal-audit-checkpoints-")
)

# Tests send hotline forms the moment they are served and file many reports in one process;
# tests/whistleblowing/test_rate_limit.py sets the production values.
HOTLINE_INTAKE_MIN_SECONDS = 0
HOTLINE_INTAKE_LIMIT = 10_000
