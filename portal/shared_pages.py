"""Pages rendered once for every reader who sees them alike.

A rule page looks the same to everyone with the same departments and language, apart from a few
personal bits of the frame around it: the reader's name, their staff links, the CSRF tokens of
the header forms, the address the language switch returns to, and any messages. Such a page is
rendered once per cached copy of the page (see portal/routing.py), departments and language, with
markers where those bits go, kept in the cache, and filled in for each reader; rendering the page
and its frame is most of what a page view costs.

The bits are produced by the same functions whether a page is rendered for one reader or shared
(the `{% personal %}` tag), so the two cannot drift apart. People with a role (editors, handlers,
administrators) always get an ordinary rendering: they see the editing bar, and they are few.
Nothing here skips a check: Wagtail's view-restriction check has run before a page is served.
"""

import functools
import hashlib
import re

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .process_memory import Recent
from .release import release

TTL = 10 * 60


# The renderings this process used last: a rule page read a thousand times a minute need not come
# from the cache each time. A few hundred of some tens of kilobytes each: a few megabytes.
_recent = Recent(size=300, ttl=TTL)


def _user_name(request) -> SafeString:
    return format_html("{}", request.user.get_full_name() or request.user.email)


def _csrf_input(request) -> SafeString:
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def _current_path(request) -> SafeString:
    return format_html("{}", request.get_full_path())


def _staff_nav(request) -> SafeString:
    from .context_processors import staff_nav

    items = staff_nav(request).get("staff_nav", [])
    return format_html_join("", '<li><a href="{}">{}</a></li>', ((i["url"], i["label"]) for i in items))


def _messages(request) -> SafeString:
    messages = get_messages(request)
    if not messages:  # most pages: no template to render
        return mark_safe("")
    return mark_safe(render_to_string("includes/messages.html", {"messages": messages}))  # noqa: S308


BITS = {
    "user_name": _user_name,
    "csrf_input": _csrf_input,
    "current_path": _current_path,
    "staff_nav": _staff_nav,
    "messages": _messages,
}


@functools.cache
def _marker_prefix() -> str:
    # Derived from the secret key: the same in every process, and no page content can forge it.
    return f"<!--personal:{salted_hmac('portal.shared_pages', 'marker').hexdigest()[:20]}:"


@functools.cache
def _marker_pattern() -> re.Pattern:
    return re.compile(re.escape(_marker_prefix()) + r"(\w+)-->")


def personal_bit(name: str, context) -> SafeString:
    """What `{% personal name %}` renders: the bit itself, or its marker in a shared rendering."""
    request = context.get("request")
    if request is None:
        return mark_safe("")  # e.g. the 500 page, rendered without a request
    if context.get("shared_render"):
        return mark_safe(f"{_marker_prefix()}{name}-->")  # noqa: S308 - a fixed marker
    return BITS[name](request)


def applies_to(request) -> bool:
    user = request.user
    return (
        request.method in ("GET", "HEAD")
        and user.is_authenticated
        and not user.is_superuser
        and not user.role_names
        and not getattr(request, "is_preview", False)
    )


def serve(request, template: str, context: dict, key_parts: tuple) -> HttpResponse:
    """The response for `template` with `context`, shared by every reader for whom `key_parts`
    (everything the page depends on, apart from the personal bits) are the same.

    `key_parts` must name a rendering that never changes (a cached page copy's stamp, say, not
    just the page): each process keeps the renderings it used last in memory as well."""
    digest = hashlib.sha256(repr((*key_parts, get_language(), release())).encode()).hexdigest()
    key = f"portal:shared-page:{digest}"
    html = _recent.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = render_to_string(template, {**context, "shared_render": True}, request=request)
            cache.set(key, html, TTL)
        _recent.put(key, html)
    return HttpResponse(_marker_pattern().sub(_filler(request), html))


def _filler(request):
    # A bit that appears twice (the CSRF field of both header forms) is produced once.
    produced = {}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in produced:
            produced[name] = BITS[name](request)
        return produced[name]

    return fill
