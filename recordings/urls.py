from django.urls import path

from panel.views import ComingSoonView
from recordings import views

app_name = "recordings"

urlpatterns = [
    path("", ComingSoonView.as_view(), name="list"),
    path("push/", ComingSoonView.as_view(), name="push"),
    path("ftp/", views.FtpAccessView.as_view(), name="ftp_access"),
    path("ftp/password/", views.FtpPasswordRevealView.as_view(), name="ftp_password"),
    path("ftp/password/regenerate/", views.FtpPasswordRegenerateView.as_view(), name="ftp_password_regenerate"),
]
