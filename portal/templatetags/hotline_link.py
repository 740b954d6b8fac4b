"""Where the portal's links to the hotline point: its own host when `HOTLINE_BASE_URL` is set."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def hotline_url() -> str:
    # On its own host the browser sends none of the portal's cookies with any hotline request.
    return getattr(settings, "HOTLINE_BASE_URL", "").rstrip("/") + "/hotline/"
