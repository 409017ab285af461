from django.conf import settings

from panel.navigation import NAVIGATION


def panel(request):
    match = getattr(request, "resolver_match", None)
    return {
        "navigation": NAVIGATION,
        "current_view": match.view_name if match else "",
        "customer": getattr(request, "customer", None),
        "is_demo": settings.DEBUG,
    }
