"""Queue-statistics URLs, mounted by the project shell at "billing/queue-statistics/" (their path before they
moved to pbx) in their own namespace, "queue_stats"."""

from django.urls import path

from pbx.stats import views

app_name = "queue_stats"

urlpatterns = [
    path("", views.QueueStatsView.as_view(), name="index"),
    path("export.pdf", views.QueueStatsPdfView.as_view(), name="pdf"),
]
