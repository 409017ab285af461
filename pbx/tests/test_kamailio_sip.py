"""Real phones against a real Kamailio: registration, calls and monitoring of the panel's SIP accounts.

One Kamailio per module, on a free loopback port, with the configuration
`render_kamailio` writes, reading the test database (a file on SQLite). The
phones are SIPp with the scenarios of deploy/kamailio/sipp/. Each test uses
its own extension numbers, since Kamailio keeps registrations in memory
across the database flushes between tests.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from panel import embedded
from pbx.kamailio import config, jobs, process
from pbx.kamailio.choices import HealthState
from pbx.kamailio.models import SipHealth
from pbx.models import SipAccount
from pbx.services import sip as sip_services
from pbx.tests import factories

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]

SCENARIOS = Path(settings.BASE_DIR) / "deploy" / "kamailio" / "sipp"
PASSWORD = "Tajne9x8y7z6haslo"
NEW_PASSWORD = "Nowe5a4b3c2haslo"
LIST = reverse("pbx:sip_accounts")
_extensions = itertools.count(201)


@dataclass
class Kamailio:
    host: str
    port: int
    work_dir: Path


def free_udp_tcp_port() -> int:
    """A loopback port free for both UDP and TCP (Kamailio listens on both)."""
    while True:
        port = embedded.free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return udp.getsockname()[1]


def udp_port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@pytest.fixture(scope="module")
def kamailio(django_db_setup, django_db_blocker, tmp_path_factory):
    db_module = {"sqlite": "db_sqlite", "postgresql": "db_postgres"}.get(connection.vendor, "")
    reason = process.missing(db_module=db_module)
    if reason:
        pytest.skip(f"{reason} The SIP integration tests need it (make test installs it).")
    if shutil.which("sipp") is None:
        pytest.skip(
            "SIPp is not installed (apt-get install sip-tester); the SIP integration tests use it as the phone."
        )
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "The test database is SQLite in memory, which Kamailio (another process) cannot open: give it a file "
            "(DATABASES['default']['TEST']['NAME'] in tests/settings.py)."
        )
    port = free_udp_tcp_port()
    work_dir = tmp_path_factory.mktemp("kamailio")
    with django_db_blocker.unblock():
        options = config.KamailioOptions.from_settings(listen="127.0.0.1", port=port, monitor_timeout=1)
        cfg = config.write(options, work_dir / "kamailio.cfg")
    server = process.start(config=cfg, host="127.0.0.1", port=port, work_dir=work_dir)
    yield Kamailio(host="127.0.0.1", port=port, work_dir=work_dir)
    process.stop(server)


@pytest.fixture
def kamailio_settings(kamailio, settings):
    """The panel's monitoring talks to the test Kamailio."""
    settings.KAMAILIO_HOST = kamailio.host
    settings.KAMAILIO_PORT = kamailio.port
    settings.SIP_MONITOR_TIMEOUT = 1
    return kamailio


def sipp_command(kamailio: Kamailio, scenario: str, *, port: int, transport: str = "u1", timeout: int = 10) -> list:
    return [
        "sipp",
        *([f"{kamailio.host}:{kamailio.port}"] if kamailio else []),
        "-sf",
        str(SCENARIOS / scenario),
        "-m",
        "1",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-t",
        transport,
        "-nostdin",
        "-timeout",
        f"{timeout}s",
        "-timeout_error",
        "-trace_err",
    ]


def run_sipp(kamailio: Kamailio, scenario: str, *args: str, transport: str = "u1", cwd: Path) -> None:
    """Run one SIPp scenario to its end; fail the test with what SIPp saw when it does not go as written."""
    cwd.mkdir(parents=True, exist_ok=True)
    command = [*sipp_command(kamailio, scenario, port=free_udp_port(), transport=transport), *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        errors = "".join(path.read_text(errors="replace")[-2000:] for path in cwd.glob("*_errors.log"))
        pytest.fail(f"{scenario} {' '.join(args)} failed (SIPp exit code {result.returncode}):\n{errors}")


def register(kamailio, account, password, *, tmp_path, contact_port=None, refused=False, transport="u1"):
    username = account.sip_username
    run_sipp(
        kamailio,
        "register_refused.xml" if refused else "register.xml",
        *("-s", username, "-au", username, "-ap", password),
        *("-key", "expires", "600", "-key", "contact_port", str(contact_port or free_udp_port())),
        transport=transport,
        cwd=tmp_path / f"register-{username}-{time.monotonic_ns()}",
    )


def call(kamailio, caller, dialled: str, *, tmp_path, refused=False, scenario="call.xml"):
    username = caller.sip_username
    run_sipp(
        kamailio,
        "call_refused.xml" if refused else scenario,
        *("-s", dialled, "-au", username, "-ap", PASSWORD, "-key", "caller", username),
        cwd=tmp_path / f"call-{username}-{dialled}",
    )


class Phone:
    """SIPp waiting at `port` for one request (a call or OPTIONS), as a registered phone does."""

    def __init__(self, scenario: str, *, cwd: Path, timeout: int = 15):
        self.port = free_udp_port()
        cwd.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            sipp_command(None, scenario, port=self.port, timeout=timeout),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 5
        while not udp_port_taken(self.port):
            assert time.monotonic() < deadline, "SIPp did not start listening"
            time.sleep(0.02)

    def wait(self, timeout: float = 20) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def phones(tmp_path):
    started = []

    def start(scenario: str) -> Phone:
        phone = Phone(scenario, cwd=tmp_path / f"phone-{len(started)}")
        started.append(phone)
        return phone

    yield start
    for phone in started:
        phone.stop()


def row_of(html: str, username: str) -> str:
    start = html.index(username)
    return html[start : html.index("</tr>", start)]


# ------------------------------------------------------------------ registration
def test_right_password_registers_and_the_panel_shows_it(kamailio, client_user, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    idle = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    contact_port = free_udp_port()
    register(kamailio, account, PASSWORD, contact_port=contact_port, tmp_path=tmp_path)

    html = client_user.get(LIST).content.decode()
    row = row_of(html, account.sip_username)
    assert "zarejestrowany" in row and "niezarejestrowany" not in row
    assert f"127.0.0.1:{contact_port}" in row and "Centrala test phone (SIPp)" in row
    assert "niezarejestrowany" in row_of(html, idle.sip_username)

    detail = client_user.get(reverse("pbx:sip_account_detail", args=[account.pk])).content.decode()
    card = detail[detail.index('data-testid="registration"') :]
    assert "zarejestrowany" in card and f"127.0.0.1:{contact_port}" in card and "UDP" in card


def test_registration_over_tcp(kamailio, client_user, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    register(kamailio, account, PASSWORD, transport="t1", tmp_path=tmp_path)
    detail = client_user.get(reverse("pbx:sip_account_detail", args=[account.pk])).content.decode()
    assert "TCP" in detail[detail.index('data-testid="registration"') :]


def test_wrong_password_is_refused_and_nothing_registers(kamailio, client_user, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    register(kamailio, account, "Zgadywane12345", refused=True, tmp_path=tmp_path)
    assert "niezarejestrowany" in row_of(client_user.get(LIST).content.decode(), account.sip_username)


def test_after_a_password_change_only_the_new_password_works(kamailio, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    register(kamailio, account, PASSWORD, tmp_path=tmp_path)
    sip_services.sip_account_update(customer=customer, account=account, fields={}, password=NEW_PASSWORD)
    register(kamailio, account, PASSWORD, refused=True, tmp_path=tmp_path)
    register(kamailio, account, NEW_PASSWORD, tmp_path=tmp_path)


def test_deleted_account_no_longer_authenticates(kamailio, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    register(kamailio, account, PASSWORD, tmp_path=tmp_path)
    sip_services.sip_account_delete(customer=customer, account=account)
    register(kamailio, account, PASSWORD, refused=True, tmp_path=tmp_path)


def test_switched_off_account_or_customer_no_longer_authenticates(kamailio, customer, tmp_path):
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    SipAccount.objects.filter(pk=account.pk).update(is_active=False)
    register(kamailio, account, PASSWORD, refused=True, tmp_path=tmp_path)
    SipAccount.objects.filter(pk=account.pk).update(is_active=True)
    register(kamailio, account, PASSWORD, tmp_path=tmp_path)
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    register(kamailio, account, PASSWORD, refused=True, tmp_path=tmp_path)


def test_a_fax_extension_registers_one_device_only(kamailio, customer, tmp_path):
    fax = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD, account_type="fax")
    register(kamailio, fax, PASSWORD, tmp_path=tmp_path)
    register(kamailio, fax, PASSWORD, refused=True, tmp_path=tmp_path)  # a second contact: too many


def digest_register(host: str, port: int, *, username: str, password: str) -> tuple[int, str]:
    """REGISTER with whatever digest algorithm the server asks for; (final status, algorithm used).

    SIPp answers MD5 challenges only, so the SHA-256 check (RFC 8760) computes the digest itself.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        local_port = sock.getsockname()[1]
        uri = f"sip:{host}:{port}"

        def send(cseq: int, extra: str = "") -> tuple[int, str]:
            message = (
                f"REGISTER {uri} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{cseq}x{local_port};rport\r\n"
                f"Max-Forwards: 70\r\nFrom: <sip:{username}@{host}>;tag=t{local_port}\r\n"
                f"To: <sip:{username}@{host}>\r\n"
                f"Call-ID: c{local_port}@test\r\nCSeq: {cseq} REGISTER\r\n"
                f"Contact: <sip:{username}@127.0.0.1:{local_port}>\r\nExpires: 60\r\n{extra}Content-Length: 0\r\n\r\n"
            )
            sock.sendto(message.encode(), (host, port))
            while True:
                reply = sock.recv(65535).decode()
                status = int(reply.split(" ", 2)[1])
                if status >= 200:
                    return status, reply

        status, reply = send(1)
        assert status == 401, reply
        challenge = dict(
            re.findall(r'(\w+)="?([^",\r\n]+)"?', reply.split("WWW-Authenticate: Digest", 1)[1].split("\r\n")[0])
        )
        algorithm = challenge.get("algorithm", "MD5")
        hash_ = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algorithm]

        def h(text: str) -> str:
            return hash_(text.encode()).hexdigest()

        ha1 = h(f"{username}:{challenge['realm']}:{password}")
        cnonce, nc = "0a4f113b", "00000001"
        response = h(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{h(f'REGISTER:{uri}')}")
        authorization = (
            f'Authorization: Digest username="{username}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
            f'uri="{uri}", response="{response}", algorithm={algorithm}, cnonce="{cnonce}", nc={nc}, qop=auth\r\n'
        )
        return send(2, authorization)[0], algorithm


def test_sha256_digest_when_configured(kamailio, customer, settings, tmp_path):
    settings.SIP_DIGEST_ALGORITHM = "SHA-256"
    account = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    port = free_udp_tcp_port()
    options = config.KamailioOptions.from_settings(listen="127.0.0.1", port=port)
    cfg = config.write(options, tmp_path / "kamailio.cfg")
    server = process.start(config=cfg, host="127.0.0.1", port=port, work_dir=tmp_path)
    try:
        assert digest_register("127.0.0.1", port, username=account.sip_username, password=PASSWORD) == (200, "SHA-256")
        assert digest_register("127.0.0.1", port, username=account.sip_username, password=NEW_PASSWORD)[0] == 403
    finally:
        process.stop(server)


# ------------------------------------------------------------------ calls
def test_an_invite_between_two_extensions_of_one_customer_reaches_the_callee(kamailio, customer, phones, tmp_path):
    caller, callee = (
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD),
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD),
    )
    phone = phones("answer.xml")
    register(kamailio, callee, PASSWORD, contact_port=phone.port, tmp_path=tmp_path)
    call(kamailio, caller, callee.extension, tmp_path=tmp_path)
    assert phone.wait() == 0  # it rang, answered and was hung up on


def test_an_extension_cannot_call_another_customers_extension(kamailio, customer, other_customer, phones, tmp_path):
    caller = factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD)
    theirs = factories.sip_account(other_customer, extension=str(next(_extensions)), password=PASSWORD)
    phone = phones("answer.xml")
    register(kamailio, theirs, PASSWORD, contact_port=phone.port, tmp_path=tmp_path)
    call(kamailio, caller, theirs.sip_username, refused=True, tmp_path=tmp_path)  # 403
    call(kamailio, caller, theirs.extension, refused=True, tmp_path=tmp_path)  # 404: not one of ours
    assert phone.process.poll() is None  # never rang


def test_the_callees_ring_time_from_the_panel_bounds_the_ringing(kamailio, customer, phones, tmp_path):
    caller, callee = (
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD),
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD, ring_time=5),
    )
    phone = phones("ring.xml")
    register(kamailio, callee, PASSWORD, contact_port=phone.port, tmp_path=tmp_path)
    started = time.monotonic()
    call(kamailio, caller, callee.extension, scenario="call_unanswered.xml", tmp_path=tmp_path)
    assert 4.5 < time.monotonic() - started < 9  # 5 s of ringing, not the proxy's default 30 s
    assert phone.wait() == 0  # it rang and was cancelled


def test_an_unregistered_extension_is_temporarily_unavailable(kamailio, customer, tmp_path):
    caller, callee = (
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD),
        factories.sip_account(customer, extension=str(next(_extensions)), password=PASSWORD),
    )
    call(kamailio, caller, callee.extension, refused=True, tmp_path=tmp_path)  # 480


# ------------------------------------------------------------------ monitoring
def test_monitoring_warns_once_when_a_monitored_phone_stops_answering(
    kamailio_settings, client_user, customer, phones, mailoutbox, tmp_path
):
    monitored = factories.sip_account(
        customer, extension=str(next(_extensions)), password=PASSWORD, monitor_health=True
    )
    never_registered = factories.sip_account(
        customer, extension=str(next(_extensions)), password=PASSWORD, monitor_health=True
    )
    phone = phones("answer_options.xml")
    register(kamailio_settings, monitored, PASSWORD, contact_port=phone.port, tmp_path=tmp_path)

    jobs.check_sip_accounts(customer.pk)
    assert phone.wait() == 0  # the OPTIONS reached the phone, which answered
    assert SipHealth.objects.get(sip_account=monitored).state == HealthState.OK
    assert SipHealth.objects.get(sip_account=never_registered).state == HealthState.NOT_REGISTERED
    dashboard = client_user.get(reverse("dashboard")).content.decode()
    assert f"Numer wewnętrzny {never_registered.extension} nie działa" in dashboard
    assert f"Numer wewnętrzny {monitored.extension} nie działa" not in dashboard
    assert len(mailoutbox) == 1 and never_registered.sip_username in mailoutbox[0].body

    # The phone is gone (still registered): the next check gets no answer through Kamailio.
    jobs.check_sip_accounts(customer.pk)
    health = SipHealth.objects.get(sip_account=monitored)
    assert health.state == HealthState.NO_ANSWER and health.failing_since is not None
    dashboard = client_user.get(reverse("dashboard")).content.decode()
    assert f"Numer wewnętrzny {monitored.extension} nie działa: nie odpowiada" in dashboard
    assert len(mailoutbox) == 2 and monitored.sip_username in mailoutbox[1].body
    detail = client_user.get(reverse("pbx:sip_account_detail", args=[monitored.pk])).content.decode()
    assert "nie odpowiada" in detail[detail.index('data-testid="monitoring-state"') :]

    jobs.check_sip_accounts(customer.pk)  # still failing: no second e-mail
    assert len(mailoutbox) == 2

    # Answering again clears the warning.
    phone = phones("answer_options.xml")
    register(kamailio_settings, monitored, PASSWORD, contact_port=phone.port, tmp_path=tmp_path)
    SipAccount.objects.filter(pk=never_registered.pk).update(monitor_health=False)
    jobs.check_sip_accounts(customer.pk)
    assert SipHealth.objects.get(sip_account=monitored).failing_since is None
    assert not SipHealth.objects.filter(sip_account=never_registered).exists()
    assert "nie działa" not in client_user.get(reverse("dashboard")).content.decode()
