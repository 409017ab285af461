from django.urls import path

from billing import views
from panel.views import ComingSoonView

app_name = "billing"

urlpatterns = [
    path("services/", views.ServicesView.as_view(), name="services"),
    path("services/<slug:code>/activate/", views.ServiceActivateView.as_view(), name="service_activate"),
    path("services/<slug:code>/cancel/", views.ServiceCancelView.as_view(), name="service_cancel"),
    path("balance/", views.LedgerView.as_view(), name="ledger"),
    path("history/", ComingSoonView.as_view(), name="call_history"),
    path("queue-statistics/", ComingSoonView.as_view(), name="queue_stats"),
]
