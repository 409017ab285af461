"""The simulator as an installed app: for its management commands and its jobs, no models of its own."""

from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "simulator"
    verbose_name = "PBX simulator"
