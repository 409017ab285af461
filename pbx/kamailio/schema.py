"""Kamailio's schema in the panel's database, for PostgreSQL and SQLite.

The tables (`kamailio_location`, `kamailio_version`) are Kamailio 5.6's own
definitions (usrloc table version 9), created by this app's migration. The
credentials view `kamailio_subscriber` is created after every migrate run and
dropped before the next one: while it exists PostgreSQL refuses to change the
columns it reads and SQLite cannot rebuild `pbx_sipaccount` under it, so a
migration of the pbx app must never meet it.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import connections

SUPPORTED_VENDORS = ("postgresql", "sqlite")

LOCATION_TABLE = "kamailio_location"
VERSION_TABLE = "kamailio_version"
SUBSCRIBER_VIEW = "kamailio_subscriber"

# Kamailio checks these versions when it starts (usrloc and auth_db of Kamailio 5.6).
TABLE_VERSIONS = {LOCATION_TABLE: 9, SUBSCRIBER_VIEW: 7}

_ID_COLUMN = {"postgresql": "SERIAL PRIMARY KEY NOT NULL", "sqlite": "INTEGER PRIMARY KEY NOT NULL"}


def table_statements(vendor: str) -> list[str]:
    """CREATE statements of Kamailio's tables for `vendor`, with the version rows Kamailio checks."""
    if vendor not in SUPPORTED_VENDORS:
        raise NotImplementedError(f"Kamailio's tables are defined for {SUPPORTED_VENDORS}, not {vendor}.")
    id_column = _ID_COLUMN[vendor]
    statements = [
        f"""CREATE TABLE {VERSION_TABLE} (
    id {id_column},
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT {VERSION_TABLE}_table_name_idx UNIQUE (table_name)
)""",
        f"""CREATE TABLE {LOCATION_TABLE} (
    id {id_column},
    ruid VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    contact VARCHAR(512) DEFAULT '' NOT NULL,
    received VARCHAR(128) DEFAULT NULL,
    path VARCHAR(512) DEFAULT NULL,
    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q REAL DEFAULT 1.0 NOT NULL,
    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    cflags INTEGER DEFAULT 0 NOT NULL,
    user_agent VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(64) DEFAULT NULL,
    methods INTEGER DEFAULT NULL,
    instance VARCHAR(255) DEFAULT NULL,
    reg_id INTEGER DEFAULT 0 NOT NULL,
    server_id INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive INTEGER DEFAULT 0 NOT NULL,
    partition INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT {LOCATION_TABLE}_ruid_idx UNIQUE (ruid)
)""",
        f"CREATE INDEX {LOCATION_TABLE}_account_contact_idx ON {LOCATION_TABLE} (username, domain, contact)",
        f"CREATE INDEX {LOCATION_TABLE}_expires_idx ON {LOCATION_TABLE} (expires)",
        f"CREATE INDEX {LOCATION_TABLE}_connection_idx ON {LOCATION_TABLE} (server_id, connection_id)",
    ]
    statements += [
        f"INSERT INTO {VERSION_TABLE} (table_name, table_version) VALUES ('{name}', {version})"  # noqa: S608 - constants
        for name, version in TABLE_VERSIONS.items()
    ]
    return statements


def drop_table_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {LOCATION_TABLE}", f"DROP TABLE IF EXISTS {VERSION_TABLE}"]


def subscriber_view_sql(vendor: str, *, apps=global_apps) -> str:
    """The credentials of every active SIP account of an active customer, in the columns auth_db reads.

    `ha1` is the MD5 HA1 and `ha1_sha256` the SHA-256 one (which of them
    Kamailio uses follows SIP_DIGEST_ALGORITHM). An account without hashes
    never appears, so an empty HA1 can never be matched. `max_contacts` (0:
    the registrar's default) and `ring_time` are the per-account limits the
    registrar enforces.
    """
    sip_table = apps.get_model("pbx", "SipAccount")._meta.db_table
    customer_table = apps.get_model("panel", "Customer")._meta.db_table
    create = "CREATE OR REPLACE VIEW" if vendor == "postgresql" else "CREATE VIEW IF NOT EXISTS"
    return f"""{create} {SUBSCRIBER_VIEW} AS
SELECT sip.id AS id,
       sip.customer_id AS customer_id,
       customer.prefix || '_' || sip.extension AS username,
       sip.ha1_md5 AS ha1,
       sip.ha1_md5 AS ha1b,
       sip.ha1_sha256 AS ha1_sha256,
       CASE WHEN sip.account_type = 'fax' THEN 1 ELSE 0 END AS max_contacts,
       sip.ring_time AS ring_time
FROM {sip_table} sip
JOIN {customer_table} customer ON customer.id = sip.customer_id
WHERE sip.is_active AND customer.is_active AND sip.ha1_md5 <> '' AND sip.ha1_sha256 <> ''"""  # noqa: S608 - constants


def drop_views(sender=None, using: str = "default", **kwargs) -> None:
    """pre_migrate: take the view out of the way of the migrations about to run."""
    connection = connections[using]
    if connection.vendor not in SUPPORTED_VENDORS:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {SUBSCRIBER_VIEW}")


def create_views(sender=None, using: str = "default", apps=global_apps, **kwargs) -> None:
    """post_migrate (also sent after a test flush): create the view once Kamailio's tables exist."""
    connection = connections[using]
    if connection.vendor not in SUPPORTED_VENDORS:
        return
    if LOCATION_TABLE not in connection.introspection.table_names():
        return  # this app's migration is not applied (or was reversed)
    try:
        sql = subscriber_view_sql(connection.vendor, apps=apps)
    except LookupError:
        return  # the pbx or panel models are migrated back to zero
    with connection.cursor() as cursor:
        cursor.execute(sql)
