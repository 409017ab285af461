"""Views of this area are not built yet; the menu entry shows "in preparation"."""

from django.urls import path

from panel.views import ComingSoonView

urlpatterns = [
    path("external-numbers/", ComingSoonView.as_view(), name="external_numbers"),
]
