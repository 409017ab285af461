"""Call-history URLs, included under billing's "history/" (names live in the billing namespace)."""

from django.urls import path

from billing.history import views

urlpatterns = [
    path("", views.CallHistoryView.as_view(), name="call_history"),
    path("export.csv", views.CallHistoryExportView.as_view(), name="call_history_export"),
]
