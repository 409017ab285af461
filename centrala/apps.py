"""The shell as an installed app: for its templates (base.html, the dashboard) and management commands."""

from django.apps import AppConfig


class CentralaConfig(AppConfig):
    name = "centrala"
    verbose_name = "Centrala"
