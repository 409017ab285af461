from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def _customer_of(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.customer_id is None:
        return None
    customer = user.customer
    return customer if customer.is_active else None


class CurrentCustomerMiddleware:
    """Resolve the tenant once per request: `request.customer` (None for operators and guests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = _customer_of(request)
        return self.get_response(request)


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Polish unless the user chose another language in the footer (cookie); the browser's language is ignored.

    Customers of a Polish operator expect the Polish panel even on an English-language browser.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse request bodies above MAX_REQUEST_BYTES before Django reads them (uploads have no other limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        allowed = next(
            (size for prefix, size in settings.LARGE_REQUEST_PATHS.items() if request.path.startswith(prefix)),
            settings.MAX_REQUEST_BYTES,
        )
        if length > allowed:
            limit = allowed // (1024 * 1024)
            message = translation.gettext("The file is too large: at most %(limit)s MB can be sent.") % {"limit": limit}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
