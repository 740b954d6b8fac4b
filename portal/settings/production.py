import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (at least 50 characters).")

if len(os.environ.get("PORTAL_MFA_KEY", "")) < 32:
    raise ImproperlyConfigured("PORTAL_MFA_KEY must be set in the environment (at least 32 characters).")
# Audit checkpoints (audit/checkpoints.py): every process verifies against the pinned public key;
# only the scheduler's host holds the signing key, which is never generated on the fly here.
if len(os.environ.get("AUDIT_CHECKPOINT_VERIFY_KEY", "")) != 64:
    raise ImproperlyConfigured("AUDIT_CHECKPOINT_VERIFY_KEY must be set in the environment (64 hex digits).")
AUDIT_CHECKPOINT_GENERATE_KEY = False
# `manage.py demo` refuses to run: it creates accounts with a published password.
PORTAL_DEMO_ALLOWED = False

DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
