"""Views of this area are not built yet; the menu entry shows "in preparation"."""

from django.urls import path

from panel.views import ComingSoonView

urlpatterns = [
    path("phone-numbers/", ComingSoonView.as_view(), name="phone_numbers"),
]
