from django.urls import path

from panel.views import ComingSoonView

app_name = "recordings"

urlpatterns = [
    path("", ComingSoonView.as_view(), name="list"),
    path("push/", ComingSoonView.as_view(), name="push"),
]
