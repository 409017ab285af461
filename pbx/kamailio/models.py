"""Kamailio's own tables and the view it authenticates against, plus the panel's monitoring state.

`Location`, `TableVersion` and `Subscriber` are unmanaged: their schema is
Kamailio's (created by this app's migration and `schema.create_views`), the
panel only reads them. `SipHealth` is the panel's own record of what the
monitoring of an extension found.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from pbx.kamailio import choices

# Kamailio's SQLite driver stores times as Julian day numbers (a REAL); this is the Julian day of 1970-01-01.
JULIAN_DAY_OF_EPOCH = 2440587.5


class KamailioTimeField(models.Field):
    """A time column written by Kamailio, read as an aware UTC datetime (read-only for the panel).

    On SQLite Kamailio writes a Julian day number; on PostgreSQL a timestamp
    without time zone in the time zone Kamailio runs in, which is always UTC
    (the runner and deploy/ start it with TZ=UTC). Not a DateTimeField, so
    no backend converter parses the value before this one does.
    """

    def select_format(self, compiler, sql, params):
        if compiler.connection.vendor == "sqlite":
            # Python's sqlite3 would run the column through Django's "timestamp" converter (by its declared type),
            # which turns a number into None; an expression has no declared type and arrives as the number.
            return f"({sql} + 0)", params
        return super().select_format(compiler, sql, params)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, int | float):
            seconds = (float(value) - JULIAN_DAY_OF_EPOCH) * 86400.0
            return datetime.datetime.fromtimestamp(round(seconds), tz=datetime.UTC)
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value


class Location(models.Model):
    """One registered contact of a phone, as Kamailio's usrloc module writes it (table version 9)."""

    ruid = models.CharField(max_length=64)
    username = models.CharField(_("SIP user name"), max_length=64)
    domain = models.CharField(max_length=64, null=True)
    contact = models.CharField(_("contact"), max_length=512)
    received = models.CharField(_("received from"), max_length=128, null=True)
    path = models.CharField(max_length=512, null=True)
    expires = KamailioTimeField(_("expires"))
    callid = models.CharField(max_length=255)
    cseq = models.IntegerField()
    last_modified = KamailioTimeField(_("last registered"))
    user_agent = models.CharField(_("user agent"), max_length=255)
    socket = models.CharField(max_length=64, null=True)

    class Meta:
        managed = False
        db_table = "kamailio_location"
        verbose_name = _("SIP registration")
        verbose_name_plural = _("SIP registrations")

    def __str__(self) -> str:
        return f"{self.username} {self.contact}"


class TableVersion(models.Model):
    """Kamailio refuses to start unless the schema versions of its tables are recorded here."""

    table_name = models.CharField(max_length=32, unique=True)
    table_version = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "kamailio_version"

    def __str__(self) -> str:
        return f"{self.table_name} {self.table_version}"


class Subscriber(models.Model):
    """The credentials Kamailio's auth_db reads: a view over active SIP accounts of active customers.

    Nothing to keep in sync: a password change, a switched-off account or a
    deleted one is what Kamailio sees on the next request. The view is
    defined in `pbx.kamailio.schema`.
    """

    sip_account = models.OneToOneField(
        "pbx.SipAccount", on_delete=models.DO_NOTHING, primary_key=True, db_column="id", related_name="+"
    )
    customer = models.ForeignKey("panel.Customer", on_delete=models.DO_NOTHING, related_name="+")
    username = models.CharField(max_length=64)
    ha1 = models.CharField(max_length=128)
    ha1b = models.CharField(max_length=128)
    ha1_sha256 = models.CharField(max_length=128)
    max_contacts = models.IntegerField()
    ring_time = models.IntegerField()

    class Meta:
        managed = False
        db_table = "kamailio_subscriber"

    def __str__(self) -> str:
        return self.username


class SipHealth(TenantModel):
    """What the last monitoring check of an extension found ("Monitoruj i sprawdzaj ...").

    One row per monitored account. `failing_since` marks the start of the
    current failure, `alert_sent_at` that the customer was told about it by
    e-mail (once per failure); both are cleared when the phone answers again.
    """

    sip_account = models.OneToOneField(
        "pbx.SipAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("SIP account")
    )
    state = models.CharField(_("state"), max_length=16, choices=choices.HealthState.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("checked"))
    failing_since = models.DateTimeField(_("not working since"), null=True, blank=True)
    alert_sent_at = models.DateTimeField(_("warning e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension monitoring")
        verbose_name_plural = _("extension monitoring")

    def __str__(self) -> str:
        return f"{self.sip_account_id}: {self.state}"

    @property
    def is_failing(self) -> bool:
        return self.state != choices.HealthState.OK
