"""Why a line of an access log, or a whole file, was not imported: kept as a code, put into words when read.

The import runs in the task worker, in whatever language the worker was in, and the detail page is
read later by auditors in theirs. So `LogImport.errors` holds what happened, not a sentence:

    {"line": 12, "code": "bad_time", "params": {"value": "2022-13-05 09:00:00", "format": "%Y-%m-%d %H:%M:%S"}}

and `import_error_message` words it in the language active when it is called. The params are values
from the file or the source's settings, shown as they are.

Entries stored before the codes hold only `{"line", "message"}`, in the worker's language; they are
shown as stored.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The msgids are the sentences the importer used before the codes, so the catalogues still match.
MESSAGES = {
    # The whole file is refused.
    "unknown_zone": _("The source's time zone “%(zone)s” is unknown."),
    "empty_file": _("The file is empty."),
    "unmapped_columns": _("The source's column mapping does not name the column for: %(keys)s."),
    "missing_columns": _("The file has no column %(columns)s (the header reads: %(header)s)."),
    "not_text": _("Line %(line)s is not %(encoding)s text (%(reason)s); check the source's encoding."),
    # One row is left out; the others are kept.
    "short_row": _("The row has %(got)s columns; the mapping needs %(want)s."),
    "no_account": _("The user id is empty."),
    "long_account": _("The user id is longer than 64 characters."),
    "bad_time": _("The time “%(value)s” does not match the format %(format)s."),
    # The import failed for a reason of its own, not of the file.
    "internal": _("The import stopped on an internal error; nothing was stored."),
}
# A refusal rolls back every row read before it: its message says so.
REFUSALS = frozenset({"unknown_zone", "empty_file", "unmapped_columns", "missing_columns", "not_text"})


def _words(code: str, params: dict) -> str:
    text = str(MESSAGES[code]) % params
    if code in REFUSALS:
        text += " " + gettext("Nothing was stored.")
    return text


def import_error(line: int, code: str, /, **params) -> dict:
    """One entry of `LogImport.errors`."""
    if code not in MESSAGES:
        raise ValueError(f"No message for the import error {code!r}.")
    return {"line": line, "code": code, "params": params}


def import_error_message(error: dict) -> str:
    """The entry in the current language (an entry from before the codes: its stored message)."""
    code = error.get("code")
    if code not in MESSAGES:
        return error.get("message", "")
    return _words(code, error.get("params") or {})


def is_legacy(error: dict) -> bool:
    """An entry stored before the codes: its message is in the language the import ran in."""
    return error.get("code") not in MESSAGES
