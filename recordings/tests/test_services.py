"""FTP credentials (encrypted at rest, hashed for log-in), the audit log, and storing a recording."""

import base64
import hashlib
import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from recordings import selectors, services
from recordings.choices import FtpEvent
from recordings.crypto import SecretUnreadable, decrypt_secret, encrypt_secret, generate_password, verify_secret
from recordings.models import FtpAccount, FtpLogEntry, Recording
from recordings.testing import random_audio_bytes
from recordings.tests import factories

pytestmark = pytest.mark.django_db


def test_ensure_creates_one_account_with_the_prefix_as_login(customer):
    account = services.ftp_account_ensure(customer=customer)
    assert account.login == "firmaabcde"
    assert account.is_enabled
    assert services.ftp_account_ensure(customer=customer).pk == account.pk
    assert FtpAccount.objects.count() == 1


def test_password_is_stored_encrypted_and_hashed_never_in_clear(customer):
    password = services.ftp_password_reveal(customer=customer)
    account = FtpAccount.objects.get(customer=customer)
    assert len(password) == 20 and password.isalnum()
    assert password not in account.password_encrypted
    assert password not in account.password_hash
    assert account.password_hash.startswith("hmac-sha256$")
    assert verify_secret(password, account.password_hash)
    assert not verify_secret(password + "x", account.password_hash)


def test_regenerate_replaces_the_password_and_the_old_one_stops_matching(customer):
    old = services.ftp_password_reveal(customer=customer)
    new = services.ftp_password_regenerate(customer=customer, by="demo", ip="192.0.2.7")
    account = FtpAccount.objects.get(customer=customer)
    assert new != old
    assert services.ftp_password_reveal(customer=customer) == new
    assert verify_secret(new, account.password_hash)
    assert not verify_secret(old, account.password_hash)
    changed = FtpLogEntry.objects.get(event=FtpEvent.PASSWORD_CHANGED)
    assert (changed.customer, changed.ip, changed.detail) == (customer, "192.0.2.7", "demo")


def test_every_reveal_is_logged(customer):
    services.ftp_password_reveal(customer=customer, by="demo", ip="127.0.0.1")
    services.ftp_password_reveal(customer=customer, by="demo", ip="127.0.0.1")
    assert FtpLogEntry.objects.filter(event=FtpEvent.PASSWORD_SHOWN, customer=customer).count() == 2


def test_each_customer_has_its_own_password(customer, other_customer):
    assert services.ftp_password_reveal(customer=customer) != services.ftp_password_reveal(customer=other_customer)
    assert selectors.ftp_account_get(customer=other_customer).login == "drugafirma"
    assert selectors.ftp_account_for_login(login="drugafirma").customer == other_customer
    assert selectors.ftp_account_for_login(login="nieistnieje") is None


def test_development_key_is_derived_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.SECRET_KEY = "development-secret"
    token = encrypt_secret("haslo")
    derived = base64.urlsafe_b64encode(hashlib.sha256(b"development-secret").digest())
    assert Fernet(derived).decrypt(token.encode()) == b"haslo"


def test_configured_key_is_used_and_a_changed_key_cannot_read_old_secrets(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = first
    token = encrypt_secret("haslo")
    assert Fernet(first.encode()).decrypt(token.encode()) == b"haslo"
    settings.FIELD_ENCRYPTION_KEY = second
    with pytest.raises(SecretUnreadable):
        decrypt_secret(token)
    settings.FIELD_ENCRYPTION_KEY = f"{second},{first}"  # rotation: the new key first, the old one still reads
    assert decrypt_secret(token) == "haslo"


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        encrypt_secret("haslo")


@pytest.mark.parametrize("stored", ["", "md5$x$y", "hmac-sha256$only-two", None])
def test_malformed_hashes_never_match(stored):
    assert verify_secret("anything", stored) is False


def test_generated_passwords_avoid_look_alike_characters():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert not any(set(password) & set("0O1lI") for password in passwords)


def test_recording_save_stores_file_and_row_together(customer, storage):
    content = random_audio_bytes(10_000)
    recording = factories.recording(
        customer,
        started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
        content=content,
        storage=storage,
        caller="+48 22 123 45 67",
        callee="+48601234567",
        duration_seconds=Decimal("61.250"),
    )
    assert recording.path == "firmaabcde/2026/03/29/2026-03-29_04-30-00_in_48221234567_48601234567.mp3"
    assert (recording.caller, recording.callee) == ("48221234567", "48601234567")
    assert recording.size_bytes == len(content)
    assert recording.sha256 == hashlib.sha256(content).hexdigest()
    with storage.open(recording.path) as handle:
        assert handle.read() == content
    second = factories.recording(  # another call at the same second between the same numbers
        customer,
        started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
        content=b"again",
        storage=storage,
        caller="+48 22 123 45 67",
        callee="+48601234567",
        call_id="another-call",
    )
    assert second.path.endswith("_48601234567_2.mp3")
    assert set(Recording.objects.for_customer(customer).values_list("path", flat=True)) == {recording.path, second.path}


def test_recording_save_removes_the_file_when_the_row_cannot_be_saved(customer, storage):
    started_at = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    taken = "firmaabcde/2026/03/29/2026-03-29_04-30-00_in_48221234567_10.mp3"
    # A row that claims the name although its file is gone: the database refuses the duplicate path.
    factories.recording(
        customer,
        call_id="old",
        started_at=started_at,
        direction="in",
        caller="48221234567",
        callee="10",
        path=taken,
    )
    with pytest.raises(Exception, match="(?i)unique"):
        factories.recording(customer, started_at=started_at, content=b"new", storage=storage)
    assert not os.path.exists(storage.root / taken)
    assert Recording.objects.count() == 1


def test_recording_save_refuses_an_unknown_direction(customer, storage):
    with pytest.raises(ValueError, match="direction"):
        factories.recording(
            customer, started_at=datetime(2026, 1, 1, tzinfo=UTC), content=b"x", storage=storage, direction="sideways"
        )
    assert not storage.root.exists() or storage.listdir("") == []


def test_recordings_are_read_per_customer(customer, other_customer, storage):
    factories.recording(customer, started_at=datetime(2026, 1, 1, tzinfo=UTC), content=b"a", storage=storage)
    factories.recording(other_customer, started_at=datetime(2026, 1, 1, tzinfo=UTC), content=b"b", storage=storage)
    assert [r.customer for r in selectors.recording_list(customer=customer)] == [customer]
    assert [r.customer for r in selectors.recording_list(customer=other_customer)] == [other_customer]


def test_ftp_log_entries_are_scoped_by_customer(customer, other_customer):
    services.ftp_log_record(event=FtpEvent.LOGIN, login="firmaabcde", ip="127.0.0.1", customer=customer)
    services.ftp_log_record(event=FtpEvent.LOGIN_FAILED, login="nobody", ip="127.0.0.1")
    assert selectors.ftp_log_list(customer=customer).count() == 1
    assert selectors.ftp_log_list(customer=other_customer).count() == 0
    assert str(FtpLogEntry.objects.get(login="nobody")).endswith("nobody @ 127.0.0.1")


def test_stored_files_can_be_read_from_an_offset(customer, storage):
    recording = factories.recording(
        customer, started_at=datetime(2026, 1, 1, tzinfo=UTC), content=b"0123456789", storage=storage
    )
    with storage.open(recording.path) as handle:
        handle.seek(4)
        assert handle.read() == b"456789"


def test_a_call_has_one_recording_in_the_database_too(customer, other_customer, storage):
    """Ingestion refuses a second recording of a call in words; the database refuses it as well."""
    from django.db import IntegrityError, transaction

    started = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    factories.recording(customer, started_at=started, content=b"first", storage=storage, call_id="pbx-1")
    factories.recording(other_customer, started_at=started, content=b"other", storage=storage, call_id="pbx-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.recording(customer, started_at=started, content=b"second", storage=storage, call_id="pbx-1")
    assert Recording.objects.for_customer(customer).count() == 1
    assert [entry.name for entry in storage.listdir(f"{customer.prefix}/2026/03/29")] == [  # the second file: removed
        Recording.objects.for_customer(customer).get().file_name
    ]
