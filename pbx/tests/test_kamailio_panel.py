"""The panel's side of Kamailio without a running Kamailio: configuration, credentials view, status pages, jobs."""

from __future__ import annotations

import datetime
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pbx import digest
from pbx.kamailio import config, jobs, process, schema, selectors, services
from pbx.kamailio.choices import HealthState
from pbx.kamailio.models import JULIAN_DAY_OF_EPOCH, KamailioTimeField, SipHealth, Subscriber
from pbx.models import SipAccount
from pbx.services import sip as sip_services
from pbx.tests import factories


# ------------------------------------------------------------------ configuration
def options(**overrides) -> config.KamailioOptions:
    values = {"listen": "127.0.0.1", "port": 15060, "db_url": "sqlite:///tmp/centrala-kamailio-check.sqlite3"}
    return config.KamailioOptions.from_settings(**{**values, **overrides})


def test_rendered_configuration_follows_the_settings(settings):
    settings.SIP_REALM = "sip.example.pl"
    settings.SIP_TRANSPORTS = ["UDP"]
    text = config.render(options(port=5070, advertise="203.0.113.7"))
    assert "listen=udp:127.0.0.1:5070 advertise 203.0.113.7:5070" in text
    assert "listen=tcp:" not in text and "disable_tcp=yes" in text
    assert '#!define REALM "sip.example.pl"' in text
    assert 'loadmodule "db_sqlite.so"' in text and "db_postgres" not in text
    assert f'#!define MONITOR_TOKEN "{config.monitor_token()}"' in text
    assert 'modparam("auth_db", "password_column", "ha1")' in text


def test_database_url_is_the_panels_database(db):
    params = connection.settings_dict
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with pytest.raises(ImproperlyConfigured, match="in-memory"):
            config.database_url()
    elif connection.vendor == "sqlite":
        assert config.database_url() == f"sqlite://{Path(params['NAME']).resolve()}"
    else:
        url = config.database_url()
        assert url.startswith("postgres://") and url.endswith(f"/{params['NAME']}")
        assert 'loadmodule "db_postgres.so"' in config.render(options(db_url=url))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SIP_DIGEST_ALGORITHM", "SHA-1", "SIP_DIGEST_ALGORITHM"),
        ("SIP_TRANSPORTS", ["UDP", "SCTP"], "SIP_TRANSPORTS"),
        ("SIP_TRANSPORTS", [], "SIP_TRANSPORTS"),
    ],
)
def test_bad_sip_settings_are_refused_by_name(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        config.render(options())


def test_render_kamailio_command_writes_a_private_file(tmp_path):
    target = tmp_path / "kamailio.cfg"
    call_command("render_kamailio", output=target, port=5090, db_url="postgres://kamailio:tajne@db:5432/centrala")
    text = target.read_text()
    assert "listen=udp:127.0.0.1:5090" in text and '"postgres://kamailio:tajne@db:5432/centrala"' in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds the database password


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
@pytest.mark.parametrize("db_url", ["sqlite:///tmp/centrala-check.sqlite3", "postgres://centrala@127.0.0.1/centrala"])
def test_kamailio_accepts_the_rendered_configuration(tmp_path, settings, algorithm, db_url):
    module = "db_sqlite" if db_url.startswith("sqlite") else "db_postgres"
    reason = process.missing(db_module=module)
    if reason:
        pytest.skip(reason)
    settings.SIP_DIGEST_ALGORITHM = algorithm
    path = config.write(options(db_url=db_url), tmp_path / "kamailio.cfg")
    assert "config file ok" in process.check_config(path)


# ------------------------------------------------------------------ the credentials view
@pytest.mark.smoke
def test_the_view_holds_active_accounts_with_their_hashes_and_limits(customer, other_customer):
    voice = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, ring_time=25)
    fax = factories.sip_account(customer, extension="11", password=factories.SIP_PASSWORD, account_type="fax")
    theirs = factories.sip_account(other_customer, extension="10", password=factories.SIP_PASSWORD)
    rows = {row.username: row for row in Subscriber.objects.all()}
    assert set(rows) == {"firmaabcde_10", "firmaabcde_11", "drugafirma_10"}
    expected = digest.digest_hashes(username="firmaabcde_10", realm="centrala.local", password=factories.SIP_PASSWORD)
    assert rows["firmaabcde_10"].ha1 == expected.md5 and rows["firmaabcde_10"].ha1_sha256 == expected.sha256
    assert rows["firmaabcde_10"].sip_account_id == voice.pk and rows["firmaabcde_10"].ring_time == 25
    assert rows["firmaabcde_10"].max_contacts == 0  # the registrar's default
    assert rows["firmaabcde_11"].max_contacts == 1 and rows["firmaabcde_11"].sip_account_id == fax.pk
    assert rows["drugafirma_10"].customer_id == theirs.customer_id


def test_the_view_follows_every_change_at_once(customer):
    account = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD)
    old = Subscriber.objects.get(sip_account=account).ha1
    sip_services.sip_account_update(customer=customer, account=account, fields={}, password="Nowe5a4b3c2haslo")
    assert Subscriber.objects.get(sip_account=account).ha1 != old
    SipAccount.objects.filter(pk=account.pk).update(is_active=False)
    assert not Subscriber.objects.filter(sip_account=account).exists()
    SipAccount.objects.filter(pk=account.pk).update(is_active=True)
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert not Subscriber.objects.filter(sip_account=account).exists()
    customer.is_active = True
    customer.save(update_fields=["is_active"])
    SipAccount.objects.filter(pk=account.pk).update(ha1_md5="", ha1_sha256="")  # never an empty HA1
    assert not Subscriber.objects.filter(sip_account=account).exists()
    SipAccount.objects.filter(pk=account.pk).delete()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migrate_takes_the_view_away_and_brings_it_back(customer):
    factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD)
    schema.drop_views(using=connection.alias)
    assert "kamailio_subscriber" not in connection.introspection.table_names(include_views=True)
    call_command("migrate", verbosity=0)
    assert Subscriber.objects.get().username == "firmaabcde_10"


# ------------------------------------------------------------------ registrations and status pages
def test_time_field_reads_what_kamailio_writes():
    field = KamailioTimeField()
    moment = datetime.datetime(2026, 3, 1, 12, 30, 15, tzinfo=datetime.UTC)
    julian = moment.timestamp() / 86400.0 + JULIAN_DAY_OF_EPOCH
    assert field.from_db_value(julian, None, connection) == moment
    assert field.from_db_value(moment.replace(tzinfo=None), None, connection) == moment
    assert field.from_db_value("2026-03-01 12:30:15", None, connection) == moment
    assert field.from_db_value(None, None, connection) is None


@pytest.mark.smoke
def test_registrations_of_a_customer(customer, other_customer):
    ten, eleven, twelve = (
        factories.sip_account(customer, extension=extension, password=factories.SIP_PASSWORD)
        for extension in ("10", "11", "12")
    )
    theirs = factories.sip_account(other_customer, extension="10", password=factories.SIP_PASSWORD)
    soon = timezone.now() + datetime.timedelta(minutes=10)
    factories.registration("firmaabcde_10", expires=soon, received="sip:198.51.100.4:40123")
    factories.registration("firmaabcde_10", expires=soon, contact="sip:firmaabcde_10@10.0.0.5:5060;transport=tcp")
    factories.registration("firmaabcde_11", expires=timezone.now() - datetime.timedelta(seconds=5))  # expired
    factories.registration("drugafirma_10", expires=soon)
    found = selectors.registrations(customer=customer, accounts=[ten, eleven, twelve, theirs])
    assert set(found) == {ten.pk}
    behind_nat, direct = found[ten.pk]
    assert behind_nat.address == "198.51.100.4:40123" and behind_nat.transport == "UDP"
    assert behind_nat.user_agent == "Yealink T46U" and abs((behind_nat.expires - soon).total_seconds()) < 1
    assert direct.address == "10.0.0.5:5060" and direct.transport == "TCP"
    assert selectors.registrations(customer=other_customer, accounts=[theirs])[theirs.pk]


@pytest.mark.smoke
def test_list_and_detail_show_who_is_registered(client_user, customer):
    factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD)
    idle = factories.sip_account(customer, extension="11", password=factories.SIP_PASSWORD)
    factories.registration("firmaabcde_10", expires=timezone.now() + datetime.timedelta(minutes=10))
    html = client_user.get(reverse("pbx:sip_accounts")).content.decode()
    assert '<th scope="col">Stan</th>' in html
    row = html[html.index("firmaabcde_10") : html.index("firmaabcde_11")]
    assert ">zarejestrowany<" in row and "192.168.1.20:5062" in row and "Yealink T46U" in row
    assert ">niezarejestrowany<" in html[html.index("firmaabcde_11") :]
    detail = client_user.get(reverse("pbx:sip_account_detail", args=[idle.pk])).content.decode()
    assert "Żaden telefon nie jest teraz zarejestrowany" in detail


@pytest.mark.smoke
def test_dashboard_warns_about_own_failing_monitored_extensions_only(client_user, customer, other_customer):
    now = timezone.now()
    failing = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, monitor_health=True)
    fine = factories.sip_account(customer, extension="11", password=factories.SIP_PASSWORD, monitor_health=True)
    theirs = factories.sip_account(other_customer, extension="12", password=factories.SIP_PASSWORD, monitor_health=True)
    for account, state in ((failing, HealthState.NO_ANSWER), (fine, HealthState.OK), (theirs, HealthState.NO_ANSWER)):
        factories.sip_health(
            account, state=state, checked_at=now, failing_since=None if state == HealthState.OK else now
        )
    html = client_user.get(reverse("dashboard")).content.decode()
    assert "Numer wewnętrzny 10 nie działa: nie odpowiada" in html
    assert "Numer wewnętrzny 11 nie działa" not in html and "Numer wewnętrzny 12" not in html
    SipAccount.objects.filter(pk=failing.pk).update(monitor_health=False)  # monitoring switched off: no warning
    assert "nie działa" not in client_user.get(reverse("dashboard")).content.decode()


# ------------------------------------------------------------------ jobs
def test_periodic_job_checks_each_customer_with_monitored_extensions(rq, customer, other_customer):
    factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, monitor_health=True)
    factories.sip_account(customer, extension="11", password=factories.SIP_PASSWORD, monitor_health=True)
    factories.sip_account(other_customer, extension="10", password=factories.SIP_PASSWORD)
    assert jobs.monitor_sip_accounts() == 1
    queued = rq.get_queue("default").jobs
    assert [(job.func_name, job.args) for job in queued] == [("pbx.kamailio.jobs.check_sip_accounts", (customer.pk,))]


def test_an_unreachable_kamailio_records_nothing(customer, settings, mailoutbox):
    from panel.embedded import free_port

    settings.KAMAILIO_PORT = free_port()  # nothing listens there
    settings.SIP_MONITOR_TIMEOUT = 0
    account = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, monitor_health=True)
    factories.registration("firmaabcde_10", expires=timezone.now() + datetime.timedelta(minutes=10))
    with pytest.raises(services.KamailioUnavailable):
        services.sip_health_check(customer=customer)
    assert not SipHealth.objects.filter(sip_account=account).exists() and not mailoutbox


def test_an_unmonitored_or_inactive_customer_is_not_checked(customer):
    account = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, monitor_health=True)
    factories.sip_health(account, state=HealthState.NO_ANSWER, checked_at=timezone.now())
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert services.sip_health_check(customer=customer) == []
    assert not SipHealth.objects.exists()


def test_operators_see_registrations_and_monitoring_read_only(client, operator, customer):
    account = factories.sip_account(customer, extension="10", password=factories.SIP_PASSWORD, monitor_health=True)
    factories.registration("firmaabcde_10", expires=timezone.now() + datetime.timedelta(minutes=10))
    factories.sip_health(account, state=HealthState.OK, checked_at=timezone.now())
    client.force_login(operator)
    html = client.get(reverse("admin:kamailio_location_changelist"), {"q": "firma"}).content.decode()
    assert "firmaabcde_10" in html and "Yealink T46U" in html
    assert client.get(reverse("admin:kamailio_siphealth_changelist"), {"q": "firma"}).status_code == 200
    assert client.get(reverse("admin:kamailio_location_add")).status_code == 403
