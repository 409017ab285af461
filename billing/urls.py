from django.urls import include, path

from billing import views

app_name = "billing"

urlpatterns = [
    path("services/", views.ServicesView.as_view(), name="services"),
    path("services/<slug:code>/activate/", views.ServiceActivateView.as_view(), name="service_activate"),
    path("services/<slug:code>/cancel/", views.ServiceCancelView.as_view(), name="service_cancel"),
    path("balance/", views.LedgerView.as_view(), name="ledger"),
    path("history/", include("billing.history.urls")),
]
