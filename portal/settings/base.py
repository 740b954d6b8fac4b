"""Settings shared by every environment.

Everything secret or deployment-specific comes from the environment; the defaults are safe
for a laptop (SQLite, local memory cache) and are overridden in production.
"""

import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .sso import OIDC_APPS, OIDC_ORIGINS

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # Our apps first so their templates override allauth's and Wagtail's.
    "portal",
    "infrastructure",
    "people",
    "audit",
    "casebook",
    "enquiries",
    "quizzes",
    "training",
    "reports",
    "whistleblowing",
    "monitoring",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First, so nothing else ever sees a hotline reporter's address, User-Agent or cookies.
    "whistleblowing.middleware.HotlineAnonymityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.staff_nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.Person"


def _release() -> str:
    # Cache keys carry the release, so after a deploy no server reads what the release before cached
    # (rendered fragments with old markup or static file names). PORTAL_RELEASE names it (e.g. the
    # commit deployed); without it, the checkout's commit.
    configured = os.environ.get("PORTAL_RELEASE", "").strip()
    if configured:
        return configured[:40]
    try:
        head = (BASE_DIR / ".git" / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            head = (BASE_DIR / ".git" / head.removeprefix("ref: ")).read_text().strip()
    except OSError:
        return "unreleased"
    return head[:12]


PORTAL_RELEASE = _release()

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, except that add() fails open too (infrastructure/cache_backends.py).
            "BACKEND": "infrastructure.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A cache outage must slow the portal down, not take it down.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES["default"]["KEY_PREFIX"] = f"portal-{PORTAL_RELEASE}"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "people.backends.PersonBackend",
]

# --- Language and time -------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("ja", "日本語")]
# The project's catalogue first (makemessages writes there; its translations win), then the
# Japanese that Wagtail's own catalogue lacks for its admin (docs/architecture.md, Language).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale-wagtail"]
FORMAT_MODULE_PATH = ["portal.formats"]  # one date style per language: 4 Dec 2026 / 2026年12月4日
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise before any login
# or MFA check can redirect them.
WHITENOISE_ROOT = BASE_DIR / "portal" / "public"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Files served only through views that check access (enquiry attachments, issued reports);
# never under MEDIA_URL. Must be shared storage when there are several app servers.
PORTAL_PRIVATE_MEDIA_ROOT = Path(os.environ.get("PORTAL_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Request limits (docs/deployment.md "Limits"). Form data without files: 10 MB, at most 5,000
# fields (a question bank takes about 11 per question). At most 20 files per request (the
# hotline takes 5, other forms 1). Files above 5 MB go to a temporary file while the request is
# read, except hotline uploads, which stay in memory and are capped at 10 MB each by its upload
# handler. Per-upload limits: enquiry attachments PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES, HR import
# files 50 MB (people.admin_views), Wagtail images and documents below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PORTAL_ENQUIRY_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

# --- Accounts (allauth) ------------------------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_FORMS = {"login": "people.forms.LoginForm"}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
}
# The limits per client address read the address from X-Forwarded-For, counting this many
# proxies of ours from the right (1 behind the load balancer). At 0, the default, they use
# REMOTE_ADDR, which behind a proxy is the proxy's: then all employees share one address limit.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
MFA_ADAPTER = "people.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys sign people in without a password (phishing-resistant); the e-mail/password form stays.
MFA_PASSKEY_LOGIN_ENABLED = True
# The relying party is the host name (never an IP address): passkeys work over HTTPS, and over
# plain HTTP only at http://localhost (development).
MFA_TOTP_ISSUER = "Conduct Portal"
# One step either side absorbs phone clocks that drift by a few seconds.
MFA_TOTP_TOLERANCE = 1
# A code is good once for its whole window; enrolment keeps its secret until it succeeds (people/mfa.py).
MFA_FORMS = {
    "activate_totp": "people.mfa.ActivateTOTPForm",
    "authenticate": "people.mfa.AuthenticateForm",
    "reauthenticate": "people.mfa.ReauthenticateForm",
}
# Encrypts TOTP secrets and recovery-code seeds in the database (people/adapters.py). Not derived
# from SECRET_KEY, so the two can be kept and rotated apart; production.py requires it to be set.
PORTAL_MFA_KEY = os.environ.get("PORTAL_MFA_KEY", "development-only-mfa-key-never-use-in-production")
# --- Corporate single sign-on (OpenID Connect; portal/settings/sso.py, people/sso.py) --------
SOCIALACCOUNT_ADAPTER = "people.sso.SSOAdapter"
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": OIDC_APPS}}
# Allowed as form targets by the site's CSP (below).
PORTAL_SSO_ORIGINS = OIDC_ORIGINS
# The site's Content-Security-Policy (django-csp; portal/middleware.py gives Wagtail's admin its
# own): no inline script, no origin but our own. The identity providers' origins are form
# targets: the sign-in button and the logout form are same-origin forms whose redirect goes on to
# the provider, and browsers check form-action on each redirect. Nothing else from them is allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *PORTAL_SSO_ORIGINS],
        "frame-ancestors": [NONE],
    }
}
# Only the claims are kept (SocialAccount.extra_data), never access or refresh tokens.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# The login page offers only the providers' buttons (the password form stays reachable at
# /accounts/login/?password=1 for break-glass accounts).
PORTAL_SSO_ONLY = os.environ.get("PORTAL_SSO_ONLY", "0") == "1"

# Roles that must have a second factor before they reach any staff page.
PORTAL_MFA_REQUIRED_GROUPS = [
    "compliance_editors",
    "training_administrators",
    "enquiry_responders",
    "designated_handlers",
    "site_administrators",
    "compliance_auditors",
]

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "conduct-portal@example.jp")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

# --- Wagtail -----------------------------------------------------------------------
WAGTAIL_SITE_NAME = "行為規制コンプライアンスポータル"
WAGTAILADMIN_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# xAPI: the IRI base of this portal's activities, accounts and statement ids. Set once and never
# changed (unlike PORTAL_BASE_URL, which follows the host name): a learning-record store identifies
# statements and activities by it, so a new value would make every statement new.
XAPI_ACTIVITY_IRI_BASE = os.environ.get(
    "XAPI_ACTIVITY_IRI_BASE", "https://conduct-portal.michinoku-denryoku.example/xapi"
)
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "simple",
    }
}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "csv"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # Wagtail's default is no limit at all
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Decoding a 50-megapixel image takes about 200 MB of memory; Wagtail's default allows 128.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 50 * 1000 * 1000
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
# The admin loads nothing from other origins (its CSP allows none): no Gravatar (which would
# also hand staff e-mail hashes to a third party) and no check for new Wagtail releases.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Security (tightened further in production.py) ---------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_SAMESITE = "Lax"
# Wagtail marks its preview views SAMEORIGIN itself; nothing else is ever framed.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Error e-mails go to ADMINS ("Name <address>, …" in the environment), with DEBUG off.
ADMINS = [parseaddr(a) for a in os.environ.get("ADMINS", "").split(",") if a.strip()]

# Every handler and logger has the hotline filter (portal/log_filters.py): no request data,
# headers or query string of a /hotline/ request, and nothing shaped like a receipt, anywhere.
# A handler added here must list it too (tests/whistleblowing/test_error_reports.py checks).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "hotline": {"()": "portal.log_filters.HotlineRedactionFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["hotline"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["hotline", "require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO", "filters": ["hotline"]},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "filters": ["hotline"]},
        # Request logs name the client; the hotline must never be logged with one,
        # so Django's request logger only reports errors and never the address.
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["hotline"],
        },
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False, "filters": ["hotline"]},
        "wagtail": {"handlers": ["console"], "level": "WARNING", "propagate": False, "filters": ["hotline"]},
    },
}

# --- Portal-specific settings ----------------------------------------------------------
# What `manage.py scheduler` runs (infrastructure/scheduler.py): management commands, every `every`
# seconds, `at` seconds after local midnight. Each is idempotent; each slot runs once.
PORTAL_PERIODIC_JOBS = [
    {"command": "hotline_notify", "every": 60 * 60},
    {"command": "hotline_reminders", "every": 24 * 60 * 60, "at": 6 * 60 * 60},
    {"command": "hotline_purge", "every": 24 * 60 * 60, "at": 3 * 60 * 60},
    # Before the reminders: on 1 April it opens the new fiscal year's assignments.
    {"command": "sync_training_assignments", "every": 24 * 60 * 60, "at": 5 * 60 * 60},
    {"command": "send_training_reminders", "every": 24 * 60 * 60, "at": 7 * 60 * 60},
    {"command": "audit_checkpoint", "every": 60 * 60},
]

# Checkpoints of the audit chain's head (audit/checkpoints.py): signed with an Ed25519 key the
# database does not hold, written to a directory the database's owner cannot rewrite (in
# production WORM storage or another host's append-only mount: docs/deployment.md).
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", BASE_DIR / "var" / "audit-checkpoints"))
AUDIT_CHECKPOINT_SIGNING_KEY_FILE = os.environ.get("AUDIT_CHECKPOINT_SIGNING_KEY_FILE", "")
# The public half, pinned, so a checkpoint signed with any other key is refused (hex, 64 digits).
AUDIT_CHECKPOINT_VERIFY_KEY = os.environ.get("AUDIT_CHECKPOINT_VERIFY_KEY", "")

PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS = int(os.environ.get("PORTAL_ENQUIRY_RESPONSE_BUSINESS_DAYS", "3"))

# Hotline intake limits, none of them per client (docs/hotline-threat-model.md): a form must be
# at least HOTLINE_INTAKE_MIN_SECONDS and at most HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS old when
# sent, and all reporters together may file HOTLINE_INTAKE_LIMIT reports per window (0: no ceiling).
HOTLINE_INTAKE_MIN_SECONDS = int(os.environ.get("HOTLINE_INTAKE_MIN_SECONDS", "10"))
HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS = int(os.environ.get("HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS", str(4 * 60 * 60)))
HOTLINE_INTAKE_LIMIT = int(os.environ.get("HOTLINE_INTAKE_LIMIT", "60"))
HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS = int(os.environ.get("HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS", "600"))
# The hotline's own origin (e.g. https://hotline.example.jp, also in ALLOWED_HOSTS): the portal
# links there, sends reporters there and serves nothing else there, so no portal cookie is ever
# sent with a hotline request (docs/hotline-threat-model.md). Empty: the portal's own host.
HOTLINE_BASE_URL = os.environ.get("HOTLINE_BASE_URL", "").rstrip("/")
