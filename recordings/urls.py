from django.urls import path

from recordings.views import ftp, push, recordings

app_name = "recordings"

urlpatterns = [
    path("", recordings.RecordingListView.as_view(), name="list"),
    path("<int:pk>/play/", recordings.RecordingPlayView.as_view(), name="play"),
    path("<int:pk>/download/", recordings.RecordingDownloadView.as_view(), name="download"),
    path("<int:pk>/delete/", recordings.RecordingDeleteView.as_view(), name="delete"),
    path("zip/", recordings.RecordingZipView.as_view(), name="zip"),
    path("zip/status/", recordings.ExportStatusView.as_view(), name="export_status"),
    path("zip/<str:name>/", recordings.ExportDownloadView.as_view(), name="export_download"),
    path("retention/", recordings.RetentionChangeView.as_view(), name="retention"),
    path("push/", push.PushSettingsView.as_view(), name="push"),
    path("push/test/", push.PushTestView.as_view(), name="push_test"),
    path("push/host-key/", push.PushHostKeyView.as_view(), name="push_host_key"),
    path("push/resend/", push.PushResendView.as_view(), name="push_resend"),
    path("push/history/", push.PushHistoryView.as_view(), name="push_history"),
    path("push/history/<int:pk>/", push.PushRunDetailView.as_view(), name="push_run"),
    path("ftp/", ftp.FtpAccessView.as_view(), name="ftp_access"),
    path("ftp/password/", ftp.FtpPasswordRevealView.as_view(), name="ftp_password"),
    path("ftp/password/regenerate/", ftp.FtpPasswordRegenerateView.as_view(), name="ftp_password_regenerate"),
]
