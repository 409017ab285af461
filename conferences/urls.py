from django.urls import path

from panel.views import ComingSoonView

app_name = "conferences"

urlpatterns = [
    path("", ComingSoonView.as_view(), name="rooms"),
]
