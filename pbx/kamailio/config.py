"""Render Kamailio's configuration (deploy/kamailio/kamailio.cfg.template) from the panel's settings."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.template import Context, Engine

from pbx.kamailio import schema

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "kamailio" / "kamailio.cfg.template"
ALGORITHMS = {"MD5": "ha1", "SHA-256": "ha1_sha256"}
TRANSPORTS = ("UDP", "TCP")


@dataclass
class KamailioOptions:
    """What a rendered configuration depends on; `from_settings` fills it from the panel's settings."""

    listen: str
    port: int
    db_url: str
    realm: str
    transports: list[str]
    advertise: str = ""
    aliases: list[str] = field(default_factory=list)
    algorithm: str = "MD5"
    max_contacts: int = 5
    monitor_timeout: int = 4
    children: int = 2
    log_level: int = 2

    @classmethod
    def from_settings(cls, *, using: str = "default", **overrides) -> KamailioOptions:
        db_url = overrides.pop("db_url", None) or settings.KAMAILIO_DB_URL or database_url(using=using)
        options = cls(
            listen=settings.KAMAILIO_LISTEN,
            port=settings.KAMAILIO_PORT,
            advertise=settings.KAMAILIO_ADVERTISE,
            db_url=db_url,
            realm=settings.SIP_REALM,
            aliases=sorted({settings.SIP_SERVER_HOST, settings.SIP_REALM}),
            transports=[transport.upper() for transport in settings.SIP_TRANSPORTS],
            algorithm=settings.SIP_DIGEST_ALGORITHM,
            max_contacts=settings.SIP_MAX_CONTACTS,
            monitor_timeout=settings.SIP_MONITOR_TIMEOUT,
        )
        for name, value in overrides.items():
            if value is not None:
                setattr(options, name, value)
        return options


def monitor_token() -> str:
    """The shared secret that lets the panel's OPTIONS through to a phone (derived from SECRET_KEY)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"centrala-kamailio-monitor", hashlib.sha256).hexdigest()[:32]


def database_url(*, using: str = "default") -> str:
    """The panel's database as a Kamailio db_url (the test database while tests run)."""
    connection = connections[using]
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(params["NAME"])
        if connection.is_in_memory_db():
            raise ImproperlyConfigured(
                "Kamailio cannot open an in-memory SQLite database: give the database a file (DATABASE_URL or "
                "the test database's TEST NAME)."
            )
        return f"sqlite://{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        credentials = params.get("USER") or ""
        if params.get("PASSWORD"):
            credentials += f":{params['PASSWORD']}"
        host = params.get("HOST") or "127.0.0.1"
        port = params.get("PORT") or 5432
        return f"postgres://{credentials + '@' if credentials else ''}{host}:{port}/{params['NAME']}"
    raise ImproperlyConfigured(f"Kamailio works with PostgreSQL or SQLite, not {connection.vendor}.")


def _quote(value: str) -> str:
    """A value inside a double-quoted string of Kamailio's configuration."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"')


def _check(options: KamailioOptions) -> None:
    if options.algorithm not in ALGORITHMS:
        raise ImproperlyConfigured(f"SIP_DIGEST_ALGORITHM must be one of {', '.join(ALGORITHMS)}.")
    unknown = [transport for transport in options.transports if transport not in TRANSPORTS]
    if unknown or not options.transports:
        raise ImproperlyConfigured(f"SIP_TRANSPORTS may list {', '.join(TRANSPORTS)}; got {options.transports}.")
    if not 1 <= options.port <= 65535:
        raise ImproperlyConfigured(f"KAMAILIO_PORT must be a port number, got {options.port}.")


def render(options: KamailioOptions) -> str:
    """The configuration text for `options`."""
    _check(options)
    scheme = options.db_url.split(":", 1)[0]
    db_module = {"sqlite": "db_sqlite", "postgres": "db_postgres", "postgresql": "db_postgres"}.get(scheme)
    if db_module is None:
        raise ImproperlyConfigured(f"Kamailio's database must be sqlite:// or postgres://, got {scheme}://.")
    advertise = f" advertise {options.advertise}:{options.port}" if options.advertise else ""
    listens = [f"{transport.lower()}:{options.listen}:{options.port}{advertise}" for transport in options.transports]
    engine = Engine(autoescape=False)
    template = engine.from_string(TEMPLATE.read_text())
    context = {
        "db_url": _quote(options.db_url.replace("postgresql://", "postgres://", 1)),
        "db_module": db_module,
        "realm": _quote(options.realm),
        "aliases": [_quote(alias) for alias in options.aliases if alias],
        "listens": listens,
        "port": int(options.port),
        "tcp": "TCP" in options.transports,
        "algorithm": options.algorithm,
        "ha1_column": ALGORITHMS[options.algorithm],
        "max_contacts": int(options.max_contacts),
        "monitor_token": monitor_token(),
        "monitor_timeout_ms": int(options.monitor_timeout) * 1000,
        "children": int(options.children),
        "log_level": int(options.log_level),
        "location_table": schema.LOCATION_TABLE,
        "subscriber_view": schema.SUBSCRIBER_VIEW,
        "version_table": schema.VERSION_TABLE,
    }
    return template.render(Context(context))


def write(options: KamailioOptions, path: Path) -> Path:
    """Render to `path` (readable by its owner only: it may hold the database password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(options))
    path.chmod(0o600)
    return path
