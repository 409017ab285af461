from django.urls import path

from panel.views import ComingSoonView

app_name = "billing"

urlpatterns = [
    path("services/", ComingSoonView.as_view(), name="services"),
    path("history/", ComingSoonView.as_view(), name="call_history"),
    path("queue-statistics/", ComingSoonView.as_view(), name="queue_stats"),
]
