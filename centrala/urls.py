"""The root URLconf: the dashboard, the panel's pages, log-in and password, the ingestion API, the admin, every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from centrala.views import DashboardView
from panel import views

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("", include("panel.urls")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("centrala.api_urls")),
    path("admin/", admin.site.urls),
    path("pbx/", include("pbx.urls")),
    # Queue statistics are pbx's (pbx/stats/) and keep the path they had under billing.
    path("billing/queue-statistics/", include("pbx.stats.urls")),
    path("billing/", include("billing.urls")),
    path("recordings/", include("recordings.urls")),
    path("conferences/", include("conferences.urls")),
    path("callback/", include("callback.urls")),
]

admin.site.site_header = _("Centrala — operator administration")
admin.site.site_title = "Centrala"
admin.site.index_title = _("Customers, packages and tariffs")
