from django import template

from ..shared_pages import personal_bit

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, name: str):
    """A bit of the page that belongs to the reader (see portal/shared_pages.py)."""
    return personal_bit(name, context)
