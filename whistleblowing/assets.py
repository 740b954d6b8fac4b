"""The hotline's own copies of the portal's static files, served under /hotline/.

A browser fetching /static/… for a hotline page would send that request (with the employee's
cookies, address and User-Agent) outside /hotline/, where proxies log it (issue 14 item 4).
Served from here, each request goes through the hotline's middleware like the pages themselves.
Only the files named below are served, read from the app's static folders.
"""

import mimetypes
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

ASSETS = frozenset({"css/portal.css", "whistleblowing/hotline.css", "whistleblowing/favicon.svg"})


@cache
def _locate(name: str) -> Path | None:
    found = finders.find(name)
    return Path(found) if found else None


@login_not_required
@require_safe
def asset(request, name: str):
    path = _locate(name) if name in ASSETS else None
    if path is None:
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=content_type)
