from .models import hook_panels


def staff_nav(request):
    """Links to the staff pages the current person may use, contributed by each app's hooks.

    Memoised on the request: panels rendered with `render_to_string(request=…)` run the context
    processors again, and the hooks query the database.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if getattr(request, "mfa_enrolment_pending", False):
        return {}  # every staff page would send them back to enrolment (RequireMFAMiddleware)
    items = getattr(request, "portal_staff_nav", None)
    if items is None:
        items = request.portal_staff_nav = [
            item for contributed in hook_panels("portal_staff_nav", request) for item in contributed
        ]
    return {"staff_nav": items}
