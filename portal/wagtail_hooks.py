from django.http import Http404
from wagtail import hooks
from wagtail.models import PageViewRestriction


@hooks.register("before_serve_page")
def refuse_restricted_pages_with_404(page, request, serve_args, serve_kwargs):
    """A signed-in person outside a page's login or group restriction gets the portal's 404.

    Wagtail would send them to its /_util/login/ form, asking a signed-in person to sign in
    again and confirming that the page exists; the portal refuses with 404 instead
    (docs/architecture.md, Roles and access). Password restrictions keep Wagtail's form.
    Everyone is signed in here: LoginRequiredMiddleware sends anyone else to the login page first.
    """
    if not request.user.is_authenticated:
        return
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type != PageViewRestriction.PASSWORD and not restriction.accept_request(request):
            raise Http404
