from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PbxConfig(AppConfig):
    name = "pbx"
    verbose_name = _("Virtual PBX")

    def ready(self):
        from billing import registry as billing_registry
        from pbx import call_history

        billing_registry.register_extensions(call_history.extension_numbers)
