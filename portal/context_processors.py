from .models import hook_panels


def staff_nav(request):
    """Links to the staff pages the current person may use, contributed by each app's hooks."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = []
    for contributed in hook_panels("portal_staff_nav", request):
        items.extend(contributed)
    return {"staff_nav": items}
