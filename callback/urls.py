from django.urls import path

from panel.views import ComingSoonView

app_name = "callback"

urlpatterns = [
    path("", ComingSoonView.as_view(), name="authorized_numbers"),
]
