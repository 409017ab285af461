from django.urls import path

from recordings import views, views_panel, views_push

app_name = "recordings"

urlpatterns = [
    path("", views_panel.RecordingListView.as_view(), name="list"),
    path("<int:pk>/play/", views_panel.RecordingPlayView.as_view(), name="play"),
    path("<int:pk>/download/", views_panel.RecordingDownloadView.as_view(), name="download"),
    path("<int:pk>/delete/", views_panel.RecordingDeleteView.as_view(), name="delete"),
    path("zip/", views_panel.RecordingZipView.as_view(), name="zip"),
    path("zip/status/", views_panel.ExportStatusView.as_view(), name="export_status"),
    path("zip/<str:name>/", views_panel.ExportDownloadView.as_view(), name="export_download"),
    path("retention/", views_panel.RetentionChangeView.as_view(), name="retention"),
    path("push/", views_push.PushSettingsView.as_view(), name="push"),
    path("push/test/", views_push.PushTestView.as_view(), name="push_test"),
    path("push/host-key/", views_push.PushHostKeyView.as_view(), name="push_host_key"),
    path("push/resend/", views_push.PushResendView.as_view(), name="push_resend"),
    path("push/history/", views_push.PushHistoryView.as_view(), name="push_history"),
    path("push/history/<int:pk>/", views_push.PushRunDetailView.as_view(), name="push_run"),
    path("ftp/", views.FtpAccessView.as_view(), name="ftp_access"),
    path("ftp/password/", views.FtpPasswordRevealView.as_view(), name="ftp_password"),
    path("ftp/password/regenerate/", views.FtpPasswordRegenerateView.as_view(), name="ftp_password_regenerate"),
]
