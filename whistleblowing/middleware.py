"""Strip everything that could identify a reporter before any other code sees the request.

Installed at the top of MIDDLEWARE. For the public hotline paths (intake, follow-up, language)
the client address, forwarding headers, User-Agent, referrer and every cookie but the
language choice are removed from the request, uploads are kept in memory (so plaintext never
reaches a temporary file), and any cookie but the non-persistent language cookie is dropped
from the response. Every /hotline/ response, the handlers' pages included, gets no-store
caching, no referrer to other sites (none at all from the public pages) and a CSP without
any other origin.
"""

from http.cookies import SimpleCookie
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

HOTLINE_PREFIX = "/hotline/"
HANDLER_PREFIX = "/hotline/cases/"

IDENTIFYING_META = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_FROM",
    "HTTP_VIA",
)

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
            self.request._hotline_oversized = [*getattr(self.request, "_hotline_oversized", []), self.file_name]
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
    def _anonymise(request):
        for key in IDENTIFYING_META:
            if key in request.META:
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
