"""`manage.py runftpserver`: the customers' read-only FTP/FTPS access to their recordings."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recordings.ftp.certs import ensure_certificate
from recordings.ftp.server import FtpServerConfig, build_server, parse_port_range


class Command(BaseCommand):
    # A long-running server: the system checks cost ~30 MB of resident memory for nothing here.
    requires_system_checks = []
    help = (
        "Serve every customer's recordings over FTP (read-only, its own folder only); "
        "with --tls also explicit FTPS (AUTH TLS) with FTP_TLS_CERTFILE / FTP_TLS_KEYFILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2121, help="Control port (default 2121).")
        parser.add_argument(
            "--passive-ports",
            default=settings.FTP_PASSIVE_PORTS,
            help="Passive data port range, e.g. 60000-60100 (default FTP_PASSIVE_PORTS).",
        )
        parser.add_argument("--tls", action="store_true", help="Offer explicit FTPS (AUTH TLS).")

    def handle(self, *args, host, port, passive_ports, tls, **options):
        try:
            passive = parse_port_range(passive_ports) if passive_ports else None
        except ValueError as error:
            raise CommandError(f"--passive-ports: {error}") from error
        if not 0 <= port <= 65535:
            raise CommandError("--port must be between 0 and 65535.")
        if settings.FTP_REQUIRE_TLS and not tls:
            raise CommandError("FTP_REQUIRE_TLS is on: start the server with --tls.")
        if tls:
            self._prepare_certificate()
        config = FtpServerConfig.from_settings(host=host, port=port, passive_ports=passive, tls=tls)
        try:
            server = build_server(config)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from error
        address = server.address
        self.stdout.write(
            f"FTP{'/FTPS' if tls else ''} server for recordings on {address[0]}:{address[1]}, "
            f"passive ports {passive_ports or 'any'}, storage {settings.RECORDINGS_ROOT}"
            + (", TLS required" if config.require_tls else "")
        )
        server.serve_forever()

    def _prepare_certificate(self) -> None:
        certfile, keyfile = settings.FTP_TLS_CERTFILE, settings.FTP_TLS_KEYFILE
        if Path(certfile).is_file() and Path(keyfile).is_file():
            return
        if not settings.DEBUG:
            raise CommandError(
                f"--tls needs a certificate and key: FTP_TLS_CERTFILE={certfile}, FTP_TLS_KEYFILE={keyfile}."
            )
        ensure_certificate(certfile, keyfile, hostnames=[settings.FTP_PUBLIC_HOST])
        self.stdout.write(f"Generated a self-signed development certificate: {certfile}")
