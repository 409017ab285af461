from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbackConfig(AppConfig):
    name = "callback"
    verbose_name = _("Order a call")

    def ready(self) -> None:
        """Plug the authorized numbers into the PBX core (pbx.registry): the callers the tracer's dial-in offers."""
        from callback import selectors
        from pbx import registry

        registry.register_dial_in_callers(selectors.authorized_number_list)
