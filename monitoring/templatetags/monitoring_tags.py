"""Small display helpers of the monitoring pages."""

from django import template

register = template.Library()


@register.filter
def nobreak_hyphen(value) -> str:
    """A hyphenated English word ("non-public") kept on one line: U+2011, the non-breaking hyphen,
    looks like "-" but the browser never breaks a line after it."""
    return str(value).replace("-", "\u2011")
