from django.urls import path

from panel.views import ComingSoonView
from pbx.views import external, greetings, numbers, queues, schemes, sip, tracer, voicemail

app_name = "pbx"

urlpatterns = [
    *sip.urlpatterns,
    *greetings.urlpatterns,
    *external.urlpatterns,
    *numbers.urlpatterns,
    *queues.urlpatterns,
    *schemes.urlpatterns,
    path("monitoring/", ComingSoonView.as_view(), name="monitoring"),
    *tracer.urlpatterns,
    *voicemail.urlpatterns,
]
