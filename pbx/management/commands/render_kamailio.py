"""Write Kamailio's configuration from the panel's settings (see deploy/kamailio/)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pbx.kamailio import config


class Command(BaseCommand):
    help = "Render deploy/kamailio/kamailio.cfg.template with the SIP and KAMAILIO_* settings."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help=f"Where to write it (default {settings.KAMAILIO_CONFIG}).")
        parser.add_argument("--listen", help="The address to bind (default KAMAILIO_LISTEN).")
        parser.add_argument("--port", type=int, help="The SIP port (default KAMAILIO_PORT).")
        parser.add_argument("--db-url", help="Kamailio's db_url (default KAMAILIO_DB_URL or the panel's database).")
        parser.add_argument("--database", default="default", help="The Django database alias to derive it from.")
        parser.add_argument("--stdout", action="store_true", help="Print the configuration instead of writing it.")

    def handle(self, *args, output, listen, port, db_url, database, stdout, **options):
        kamailio_options = config.KamailioOptions.from_settings(using=database, listen=listen, port=port, db_url=db_url)
        if stdout:
            self.stdout.write(config.render(kamailio_options))
            return
        path = config.write(kamailio_options, output or settings.KAMAILIO_CONFIG)
        self.stdout.write(f"Kamailio configuration written to {path}")
