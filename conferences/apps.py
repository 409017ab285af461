from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Teleconferences")

    def ready(self) -> None:
        """Plug the rooms into the PBX core (pbx.registry): their numbers in the dial plan."""
        from conferences import selectors
        from pbx import registry

        registry.register_dial_plan(selectors.room_dial_plan)
