from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = _("Call recordings")

    def ready(self):
        from billing import registry as billing_registry
        from recordings import selectors
        from recordings.views.ftp import ftp_access_context

        billing_registry.register_call_recordings(
            billing_registry.CallRecordings(exists=selectors.call_recording_exists, of_calls=selectors.call_recordings)
        )
        billing_registry.register_services_section(
            billing_registry.ServicesSection(template_name="recordings/_ftp_access.html", context=ftp_access_context)
        )
