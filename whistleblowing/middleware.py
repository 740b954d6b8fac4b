"""Strip everything that could identify a reporter before any other code sees the request.

Installed at the top of MIDDLEWARE. For the public hotline paths (intake, follow-up, language)
the client address and every header not on an allow-list (forwarding headers, User-Agent,
referrer, any proxy's identity headers) are blanked, every cookie but the language choice is
removed from the request, uploads are kept in memory (so plaintext never
reaches a temporary file), and any cookie but the non-persistent language cookie is dropped
from the response. Every /hotline/ response, the handlers' pages included, gets no-store
caching, no referrer to other sites (none at all from the public pages) and a CSP without
any other origin.
"""

from http.cookies import SimpleCookie
from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponseNotFound, HttpResponseRedirect

HOTLINE_PREFIX = "/hotline/"
HANDLER_PREFIX = "/hotline/cases/"
STATIC_PREFIX = "/hotline/static/"

# Client headers a public hotline request keeps: an allow-list, so a header nobody thought of
# (X-Originating-IP, X-Authenticated-User, X-Forwarded-User, a proxy's own) never gets through.
# Every other HTTP_* value is blanked before any other code, log or error report sees it.
ALLOWED_HEADERS = frozenset(
    {
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_CONNECTION",
        "HTTP_CONTENT_LENGTH",
        "HTTP_CONTENT_TYPE",
        "HTTP_COOKIE",  # reduced to the language choice below
        "HTTP_ORIGIN",
        "HTTP_X_FORWARDED_PROTO",  # SECURE_PROXY_SSL_HEADER: https behind the load balancer
    }
)
# The server's own variables that name the client (the WSGI server fills them, not a header).
IDENTIFYING_SERVER_VARS = ("REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "REMOTE_USER", "REMOTE_IDENT")

HOTLINE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def is_hotline_path(path: str) -> bool:
    # "/hotline" without the slash is answered by a redirect, but is still a reporter's request.
    return path.startswith(HOTLINE_PREFIX) or path == HOTLINE_PREFIX.rstrip("/")


def is_public_hotline_path(path: str) -> bool:
    return is_hotline_path(path) and not path.startswith(HANDLER_PREFIX)


class InMemoryUploadHandler(FileUploadHandler):
    """Keeps each upload in memory up to the per-file limit; larger files are skipped and reported."""

    def __init__(self, request=None, max_bytes: int = 10 * 1024 * 1024):
        super().__init__(request)
        self.max_bytes = max_bytes

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            return None
        if self.buffer.tell() + len(raw_data) > self.max_bytes:
            self.too_large = True
            self.buffer = BytesIO()
            self.request.hotline_oversized = [*getattr(self.request, "hotline_oversized", []), self.file_name]
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.too_large:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class HotlineAnonymityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = is_public_hotline_path(request.path_info)
        separate = self._separate_host(request, public=public)
        if separate is not None:
            return separate
        if public:
            self._anonymise(request)
        response = self.get_response(request)
        if is_hotline_path(request.path_info):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
            # Public pages send no referrer at all. With "no-referrer" browsers send
            # "Origin: null" on form posts, which Django's CSRF check on the handlers' pages
            # must refuse; there the referrer goes to our own origin only, never elsewhere.
            response["Referrer-Policy"] = "no-referrer" if public else "same-origin"
            response["Content-Security-Policy"] = HOTLINE_CSP
            response["X-Frame-Options"] = "DENY"
            response["X-Robots-Tag"] = "noindex, nofollow"
        if public:
            for name in list(response.cookies):
                if name != settings.LANGUAGE_COOKIE_NAME:
                    del response.cookies[name]
        return response

    @staticmethod
    def _separate_host(request, *, public: bool):
        """With HOTLINE_BASE_URL, the public hotline lives on its own host and nothing else does.

        Its host then never gets a portal cookie (nothing else is served there), and a browser
        sends none with any hotline request. A reporter who comes to the portal's /hotline/ is
        sent there; the handlers' pages stay on the portal's host (they need the login).
        """
        base = getattr(settings, "HOTLINE_BASE_URL", "")
        if not base:
            return None
        hotline_host = urlsplit(base).hostname
        # The raw header, before any validation: an unknown host is refused later as usual.
        host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        if host == hotline_host:
            return None if public else HttpResponseNotFound()
        # Its static files are served on both hosts: the handlers' pages use them too.
        if public and request.method in ("GET", "HEAD") and not request.path_info.startswith(STATIC_PREFIX):
            return HttpResponseRedirect(base.rstrip("/") + request.get_full_path())
        return None

    @staticmethod
    def _anonymise(request):
        for key in list(request.META):
            if (key.startswith("HTTP_") and key not in ALLOWED_HEADERS) or key in IDENTIFYING_SERVER_VARS:
                request.META[key] = ""
        # Only the language choice survives: no session, CSRF or any other cookie that could
        # tie a report to an account or a browser.
        cookies = SimpleCookie()
        raw = request.META.get("HTTP_COOKIE", "")
        try:
            cookies.load(raw)
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply dropped
            cookies = SimpleCookie()
        language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
        request.META["HTTP_COOKIE"] = f"{settings.LANGUAGE_COOKIE_NAME}={language.value}" if language else ""
        request.__dict__.pop("COOKIES", None)
        request.upload_handlers = [InMemoryUploadHandler(request)]
