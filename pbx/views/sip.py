"""Views of this area are not built yet; the menu entry shows "in preparation"."""

from django.urls import path

from panel.views import ComingSoonView

urlpatterns = [
    path("sip-accounts/", ComingSoonView.as_view(), name="sip_accounts"),
]
