"""Start the whole panel on embedded defaults: Redis, web, RQ worker with scheduler, cron, FTP, Kamailio."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand
from django.db import connection

from centrala.management.commands.seed_demo import DEMO_SIP_PASSWORD
from panel import embedded

PERIODIC_MODULE = "centrala.cron"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Run Centrala for development: embedded Redis, web server, worker with scheduler, cron, FTP and (when "
        "installed) Kamailio; Ctrl-C stops all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-seed", action="store_true", help="Do not create the demo data.")

    def handle(self, *args, host, port, no_seed, **options):
        processes: dict[str, subprocess.Popen] = {}
        redis_url = urlparse(settings.REDIS_URL)
        redis_host, redis_port = redis_url.hostname or "127.0.0.1", redis_url.port or 6379
        try:
            if redis_host in ("127.0.0.1", "localhost") and not embedded.port_open(redis_host, redis_port):
                processes["redis"] = embedded.start_redis(
                    port=redis_port, host="127.0.0.1", data_dir=settings.VAR_DIR / "redis"
                )
                self.stdout.write(f"Embedded Redis on 127.0.0.1:{redis_port}")
            call_command("migrate", interactive=False, verbosity=0)
            if not no_seed:
                call_command("seed_demo", stdout=self.stdout)
            if embedded.port_open(host, port):
                self.stderr.write(f"Port {host}:{port} is taken: stop what runs there first.")
                return
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}

            def start(*command: str, **extra_env: str) -> subprocess.Popen:
                # Own session: Ctrl-C reaches only this command, which then stops the children in order.
                return subprocess.Popen([*manage, *command], env={**env, **extra_env}, start_new_session=True)

            processes["web"] = start("runserver", f"{host}:{port}", "--noreload")
            processes["worker"] = start("rqworker", "high", "default", "low", "--with-scheduler")
            # rq evaluates cron expressions in the process's local time zone.
            processes["cron"] = start("rqcron", PERIODIC_MODULE, TZ=settings.TIME_ZONE)
            processes["ftp"] = start(
                "runftpserver", "--host", "127.0.0.1", "--port", str(settings.FTP_PUBLIC_PORT), "--tls"
            )
            sip_line = self._start_kamailio(processes)
            if not no_seed:
                # 30 days of demo history, generated once per database: a later start replays nothing (the
                # routing may have changed since); the worker stores the recordings' audio in the background.
                call_command(
                    "simulate_traffic",
                    customer="firmaabcde",
                    days=30,
                    calls_per_day=40,
                    seed=1,
                    background_audio=True,
                    once=True,
                    stdout=self.stdout,
                )
                # Something to watch live: calls going on now (Monitorowanie połączeń) and two callers in the
                # demo teleconference room for half an hour.
                processes["live-calls"] = start(
                    "simulate_live_calls", "--customer", "firmaabcde", "--calls", "3", "--seconds", "180", "--forever"
                )
                try:
                    call_command(
                        "simulate_conference",
                        customer="firmaabcde",
                        room="*7556",
                        callers=2,
                        stay=1800,
                        stdout=self.stdout,
                    )
                except CommandError as error:
                    self.stdout.write(f"No demo teleconference: {error}")
            time.sleep(1.5)
            self._banner(host, port, sip_line)
            signal.signal(signal.SIGTERM, _interrupt)
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit code {process.returncode}); stopping everything.")
                        return
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for process in reversed(list(processes.values())):
                embedded.stop(process)
            self.stdout.write("All Centrala processes stopped.")

    def _start_kamailio(self, processes: dict[str, subprocess.Popen]) -> str:
        """Kamailio, the SIP registrar, when Debian's package is installed; the banner's line about it."""
        from pbx.kamailio import config as kamailio_config
        from pbx.kamailio import process as kamailio_process
        from pbx.kamailio import sipping

        db_module = "db_postgres" if connection.vendor == "postgresql" else "db_sqlite"
        reason = kamailio_process.missing(db_module=db_module, executable=settings.KAMAILIO_BINARY)
        if reason:
            return f"SIP registrar: not started. {reason}"
        host, port = settings.KAMAILIO_HOST, settings.KAMAILIO_PORT
        if sipping.options(host, port, timeout=0.5):
            return f"SIP registrar: something already answers on {host}:{port}; Kamailio not started."
        path = kamailio_config.write(kamailio_config.KamailioOptions.from_settings(), settings.KAMAILIO_CONFIG)
        try:
            processes["kamailio"] = kamailio_process.start(
                config=path,
                host=host,
                port=port,
                work_dir=settings.VAR_DIR / "kamailio",
                executable=settings.KAMAILIO_BINARY,
            )
        except RuntimeError as error:
            self.stderr.write(str(error))
            return f"SIP registrar: Kamailio did not start (see {settings.VAR_DIR / 'kamailio' / 'kamailio.log'})."
        transports = "+".join(settings.SIP_TRANSPORTS)
        return (
            f"SIP registrar (Kamailio): {settings.KAMAILIO_LISTEN}:{port} {transports}, realm {settings.SIP_REALM}"
            f"   a softphone registers as firmaabcde_10 / {DEMO_SIP_PASSWORD} (README: Phones)"
        )

    def _banner(self, host: str, port: int, sip_line: str) -> None:
        base = f"http://{host}:{port}"
        self.stdout.write(
            self.style.SUCCESS(
                "\n".join(
                    [
                        "",
                        "Centrala is running (DEMO data, embedded defaults):",
                        f"  Customer panel:  {base}/   log in as demo / demo12345 (or drugi / drugi12345)",
                        f"  Operator admin:  {base}/admin/   log in as admin / admin12345",
                        f"  Background jobs: {base}/admin/django_rq/dashboard/",
                        f"  Recordings FTP/FTPS: ftp://127.0.0.1:{settings.FTP_PUBLIC_PORT}/ (explicit TLS available)"
                        "   log in with the customer prefix and the password in Usługi / Oferta",
                        f"  {sip_line}",
                        "Press Ctrl-C to stop everything.",
                        "",
                    ]
                )
            )
        )
