"""Queue-statistics URLs, included under billing's "queue-statistics/" (names live in the billing namespace)."""

from django.urls import path

from billing.stats import views

urlpatterns = [
    path("", views.QueueStatsView.as_view(), name="queue_stats"),
    path("export.pdf", views.QueueStatsPdfView.as_view(), name="queue_stats_pdf"),
]
