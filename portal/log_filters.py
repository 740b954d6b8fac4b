"""Keep hotline reports, receipts and reporters' headers out of logs and error e-mails.

`HotlineRedactionFilter` is set on every handler and logger in `settings.LOGGING` (a handler's
filter sees every record it writes, whichever logger it came from). For a record about a
request under /hotline/ it drops the request (Django's error e-mail then has no GET, POST,
FILES, COOKIES or META section) and withholds the exception's message, keeping only where it
happened. In every record it cuts the query string off /hotline/ URLs (a follow-up link may
carry `?code=…`) and blanks anything shaped like a receipt code.
"""

import logging
import re

# A receipt is 20 characters of A-Z without I and O and 2-9, shown in groups of four; people
# type it in either case, with hyphens or spaces or neither.
_RECEIPT_CHAR = "[A-HJ-NP-Za-hj-np-z2-9]"
RECEIPT_SHAPED = re.compile(rf"(?<![A-Za-z0-9]){_RECEIPT_CHAR}{{4}}(?:[-\s]?{_RECEIPT_CHAR}{{4}}){{4}}(?![A-Za-z0-9])")
HOTLINE_QUERY = re.compile(r"(/hotline(?:/[^\s?#\"'<>]*)?)\?[^\s#\"'<>]*")
REDACTED = "[redacted]"
WITHHELD = "message withheld: hotline request"


def redact(text: str) -> str:
    text = HOTLINE_QUERY.sub(rf"\1?{REDACTED}", text)
    return RECEIPT_SHAPED.sub(REDACTED, text)


def is_hotline_path(path: str) -> bool:
    # The prefix portal/urls.py mounts the hotline at (the platform does not import the hotline).
    return path == "/hotline" or path.startswith("/hotline/")


def _is_hotline_request(request) -> bool:
    path = getattr(request, "path_info", None) or getattr(request, "path", None)
    return isinstance(path, str) and is_hotline_path(path)


class WithheldError(Exception):
    """Stands in for an exception raised while serving the hotline: its type, not its message."""


class HotlineRedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and _is_hotline_request(request):
            record.request = None
            self._withhold_exception(record)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as its bare format string
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

    @staticmethod
    def _withhold_exception(record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[0] is None or isinstance(record.exc_info[1], WithheldError):
            return
        exc_type, _value, tb = record.exc_info
        stand_in = WithheldError(f"{exc_type.__name__} ({WITHHELD})")
        # Keep the traceback (file and line, no values) so the error can still be found.
        record.exc_info = (WithheldError, stand_in.with_traceback(tb), tb)
        record.exc_text = None
