from pbx.views import external, greetings, monitoring, numbers, queues, schemes, sip, tracer, voicemail

app_name = "pbx"

urlpatterns = [
    *sip.urlpatterns,
    *greetings.urlpatterns,
    *external.urlpatterns,
    *numbers.urlpatterns,
    *queues.urlpatterns,
    *schemes.urlpatterns,
    *monitoring.urlpatterns,
    *tracer.urlpatterns,
    *voicemail.urlpatterns,
]
