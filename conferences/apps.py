from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Teleconferences")

    def ready(self) -> None:
        """Plug the rooms into the PBX core (pbx.registry): dial plan, DIDs' targets, scheme elements, routing."""
        from conferences import selectors
        from pbx import registry
        from pbx.choices import RouteKind

        registry.register_dial_plan(selectors.room_dial_plan)
        registry.register_route_target(
            registry.RouteTarget(
                kind=RouteKind.CONFERENCE, label=_("Teleconference rooms"), choices=selectors.room_choices
            )
        )
        registry.register_scheme_objects("conference", selectors.room_choices)
        registry.register_routing_part(selectors.room_routing_part)
