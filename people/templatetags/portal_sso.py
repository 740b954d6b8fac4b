from allauth.socialaccount.adapter import get_adapter
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_login_options(context) -> dict:
    """The identity providers to offer on the login page, and whether the password form is hidden
    (PORTAL_SSO_ONLY; `?password=1` shows it for break-glass accounts)."""
    request = context["request"]
    providers = get_adapter(request).list_providers(request)
    return {
        "providers": providers,
        "password_hidden": bool(providers) and settings.PORTAL_SSO_ONLY and not request.GET.get("password"),
    }
