from django.urls import path

from panel.views import ComingSoonView

app_name = "pbx"

urlpatterns = [
    path("sip-accounts/", ComingSoonView.as_view(), name="sip_accounts"),
    path("external-numbers/", ComingSoonView.as_view(), name="external_numbers"),
    path("phone-numbers/", ComingSoonView.as_view(), name="phone_numbers"),
    path("queues/", ComingSoonView.as_view(), name="queues"),
    path("schemes/", ComingSoonView.as_view(), name="schemes"),
    path("monitoring/", ComingSoonView.as_view(), name="monitoring"),
    path("tracer/", ComingSoonView.as_view(), name="tracer"),
]
