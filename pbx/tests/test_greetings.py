"""The voicemail greeting page of a SIP account: upload, listen, delete; and only for the account's customer."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from mutagen.mp3 import MP3

from pbx.choices import GreetingKind
from pbx.models import SipAccount
from pbx.services.greetings import greeting_delete, greeting_upload
from pbx.tests import factories
from pbx.tests.audio_factory import make_mp3, make_wav, truncated_mp3

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def account(customer):
    return factories.sip_account(customer, extension="10", name="Biuro", voicemail_enabled=True)


@pytest.fixture
def foreign_account(other_customer):
    account = factories.sip_account(other_customer, extension="10", name="Obca recepcja")
    greeting_upload(customer=other_customer, account=account, upload=SimpleUploadedFile("a.wav", make_wav(1.0)))
    return account


def page_url(account):
    return reverse("pbx:sip_account_greeting", kwargs={"pk": account.pk})


def audio_url(account):
    return reverse("pbx:sip_account_greeting_audio", kwargs={"pk": account.pk})


def delete_url(account):
    return reverse("pbx:sip_account_greeting_delete", kwargs={"pk": account.pk})


def upload(client, account, name, content, **kwargs):
    return client.post(page_url(account), {"file": SimpleUploadedFile(name, content)}, **kwargs)


def stored_files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def test_page_shows_system_greeting_and_the_upload_form(client_user, account):
    response = client_user.get(page_url(account))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>\s*Powitanie poczty głosowej – 10\s*</h1>", html)
    assert "<title>Powitanie poczty głosowej – 10 – Centrala</title>" in html
    assert "Zapowiedź systemowa" in html
    assert "<audio" not in html
    assert 'type="file"' in html and 'accept=".wav,.mp3"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "*98" in html
    # The SIP account list is the way back while the account detail page does not exist.
    assert reverse("pbx:sip_accounts") in html


def test_page_warns_when_voicemail_is_off(client_user, account):
    account.voicemail_enabled = False
    account.save()
    assert "Poczta głosowa jest wyłączona" in client_user.get(page_url(account)).content.decode()


def test_uploaded_wav_is_stored_as_mp3_and_the_page_shows_a_player(client_user, account, media_root):
    response = upload(client_user, account, "powitanie.wav", make_wav(2.0, 8000, channels=2), follow=True)
    assert response.redirect_chain == [(page_url(account), 302)]
    html = response.content.decode()
    assert "Zapisano własne powitanie" in html
    assert re.search(rf'<audio controls[^>]*src="{re.escape(audio_url(account))}\?v=\d+"', html)
    assert "0:02 min" in html

    account.refresh_from_db()
    assert account.greeting_kind == GreetingKind.OWN
    assert account.greeting_file.name == "greetings/firmaabcde/10.mp3"
    assert stored_files(media_root) == ["greetings/firmaabcde/10.mp3"]
    info = MP3(media_root / "greetings/firmaabcde/10.mp3").info
    assert (info.channels, info.sample_rate) == (1, 16000)
    assert info.length == pytest.approx(2.0, abs=0.2)


def test_uploaded_mp3_is_accepted(client_user, account):
    response = upload(client_user, account, "powitanie.mp3", make_mp3(1.5))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.greeting_kind == GreetingKind.OWN


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("powitanie.mp3", b"zwykly tekst\n" * 100, "To nie jest nagranie WAV ani MP3"),
        ("powitanie.mp3", truncated_mp3(), "uszkodzony lub niekompletny"),
        ("powitanie.wav", b"", "Plik jest pusty"),
    ],
)
def test_refused_upload_stores_nothing_and_says_why(client_user, account, media_root, name, content, message):
    response = upload(client_user, account, name, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "is-invalid" in html
    account.refresh_from_db()
    assert account.greeting_kind == GreetingKind.SYSTEM
    assert account.greeting_file.name == ""
    assert stored_files(media_root) == []


def test_missing_file_is_a_form_error(client_user, account):
    response = client_user.post(page_url(account), {})
    assert response.status_code == 200
    assert "To pole jest wymagane" in response.content.decode()


def test_refused_upload_keeps_the_previous_greeting(client_user, account, media_root):
    upload(client_user, account, "a.wav", make_wav(1.0))
    before = (media_root / "greetings/firmaabcde/10.mp3").read_bytes()
    response = upload(client_user, account, "b.mp3", truncated_mp3())
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.greeting_kind == GreetingKind.OWN
    assert (media_root / "greetings/firmaabcde/10.mp3").read_bytes() == before


def test_new_upload_replaces_the_old_file(client_user, account, media_root):
    upload(client_user, account, "a.wav", make_wav(1.0))
    upload(client_user, account, "b.wav", make_wav(3.0))
    assert stored_files(media_root) == ["greetings/firmaabcde/10.mp3"]
    assert MP3(media_root / "greetings/firmaabcde/10.mp3").info.length == pytest.approx(3.0, abs=0.2)


def test_renamed_extension_leaves_no_stale_file(customer, account, media_root, django_capture_on_commit_callbacks):
    greeting_upload(customer=customer, account=account, upload=SimpleUploadedFile("a.wav", make_wav(1.0)))
    account.extension = "11"
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        greeting_upload(customer=customer, account=account, upload=SimpleUploadedFile("b.wav", make_wav(1.0)))
    assert stored_files(media_root) == ["greetings/firmaabcde/11.mp3"]
    assert account.greeting_file.name == "greetings/firmaabcde/11.mp3"


def test_audio_url_streams_the_stored_mp3(client_user, account, media_root):
    upload(client_user, account, "a.wav", make_wav(1.0))
    response = client_user.get(audio_url(account))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    body = b"".join(response.streaming_content)
    assert body == (media_root / "greetings/firmaabcde/10.mp3").read_bytes()
    assert MP3(io.BytesIO(body)).info.channels == 1


def test_audio_url_without_greeting_is_404(client_user, account):
    assert client_user.get(audio_url(account)).status_code == 404


def test_delete_asks_first_then_returns_to_the_system_greeting(
    client_user, account, media_root, django_capture_on_commit_callbacks
):
    upload(client_user, account, "a.wav", make_wav(1.0))
    confirmation = client_user.get(delete_url(account))
    assert confirmation.status_code == 200
    assert "Usuń powitanie poczty głosowej – 10" in confirmation.content.decode()
    assert "Tak, usuń" in confirmation.content.decode()
    assert stored_files(media_root) == ["greetings/firmaabcde/10.mp3"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_user.post(delete_url(account), follow=True)
    assert "Usunięto własne powitanie" in response.content.decode()
    assert "Zapowiedź systemowa" in response.content.decode()
    account.refresh_from_db()
    assert account.greeting_kind == GreetingKind.SYSTEM
    assert account.greeting_file.name == ""
    assert stored_files(media_root) == []
    assert client_user.get(audio_url(account)).status_code == 404


def test_delete_page_without_greeting_has_nothing_to_confirm(client_user, account):
    response = client_user.get(delete_url(account))
    assert response.status_code == 200
    assert "Tak, usuń" not in response.content.decode()


@pytest.mark.parametrize("url", [page_url, audio_url, delete_url])
def test_other_customers_account_is_404(client_user, foreign_account, url):
    assert client_user.get(url(foreign_account)).status_code == 404


def test_other_customer_cannot_upload_or_delete(client_user, foreign_account, media_root):
    before = stored_files(media_root)
    assert upload(client_user, foreign_account, "a.wav", make_wav(1.0)).status_code == 404
    assert client_user.post(delete_url(foreign_account)).status_code == 404
    foreign_account.refresh_from_db()
    assert foreign_account.greeting_kind == GreetingKind.OWN
    assert stored_files(media_root) == before


def test_services_refuse_another_customers_account(customer, foreign_account):
    with pytest.raises(SipAccount.DoesNotExist):
        greeting_upload(customer=customer, account=foreign_account, upload=SimpleUploadedFile("a.wav", make_wav(1.0)))
    with pytest.raises(SipAccount.DoesNotExist):
        greeting_delete(customer=customer, account=foreign_account)


@pytest.mark.smoke
@pytest.mark.parametrize("url", [page_url, audio_url, delete_url])
def test_anonymous_visitor_is_sent_to_log_in(client, account, url):
    response = client.get(url(account))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
