"""What base.html needs on every page: the menu, the current view, the request's customer and the demo badge."""

from django.conf import settings

from centrala.navigation import NAVIGATION


def layout(request):
    match = getattr(request, "resolver_match", None)
    return {
        "navigation": NAVIGATION,
        "current_view": match.view_name if match else "",
        "customer": getattr(request, "customer", None),
        "is_demo": settings.DEBUG,
    }
