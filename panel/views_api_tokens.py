"""The customer's API keys page is not built yet."""

from django.urls import path

from panel.views import ComingSoonView

urlpatterns = [
    path("account/api-keys/", ComingSoonView.as_view(), name="api_tokens"),
]
