"""The ingestion API's URL root: /api/v1/... from each app, plus the OpenAPI schema (no CDN-based docs page)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

API_MODULES = [
    # (URL prefix, module with `urlpatterns`) — apps add theirs here.
    ("", "billing.api"),
    ("", "recordings.api"),
    ("", "pbx.api_voicemail"),
    ("", "callback.api"),
    ("", "pbx.api_live"),
    ("", "conferences.api"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    *[path(prefix, include(module)) for prefix, module in API_MODULES],
]
