from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbackConfig(AppConfig):
    name = "callback"
    verbose_name = _("Order a call")

    def ready(self) -> None:
        """Plug dial-in into the PBX core (pbx.registry): the tracer's callers, the routing snapshot's share."""
        from callback import selectors
        from pbx import registry

        registry.register_dial_in_callers(selectors.authorized_number_list)
        registry.register_routing_part(selectors.dial_in_routing_part)
