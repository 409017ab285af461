"""Voicemail messages (Voice2Mail): stored with real audio, e-mailed with the attachment, listed, heard, deleted."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from mutagen.mp3 import MP3

from pbx.models import SipAccount, VoicemailMessage
from pbx.tests import factories
from pbx.tests.audio_factory import make_mp3, make_ogg, make_wav, truncated_mp3
from pbx.voicemail import (
    Refused,
    voicemail_delete,
    voicemail_ingest,
    voicemail_list,
    voicemail_mark,
    voicemail_unheard_count,
)
from simulator.audio import tone_mp3

pytestmark = pytest.mark.django_db
RECEIVED = datetime(2026, 3, 10, 9, 15, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def account(customer) -> SipAccount:
    return factories.sip_account(
        customer, extension="11", name="Sprzedaż", voicemail_enabled=True, voicemail_email="sprzedaz@firma.example"
    )


def leave(customer, *, content=None, message_id="pbx1-0001", caller="+48600100200", extension="11", **extra):
    return voicemail_ingest(
        customer=customer,
        extension=extension,
        caller=caller,
        received_at=extra.pop("received_at", RECEIVED),
        fileobj=io.BytesIO(tone_mp3(12) if content is None else content),
        message_id=message_id,
    )


@pytest.mark.smoke
def test_a_message_is_stored_with_its_audio_and_e_mailed_with_the_mp3_attached(
    customer, account, media, django_capture_on_commit_callbacks
):
    content = tone_mp3(12)
    with django_capture_on_commit_callbacks(execute=True):
        result = leave(customer, content=content)
    assert result.created
    message = VoicemailMessage.objects.get()
    assert (message.sip_account, message.caller, message.received_at) == (account, "+48600100200", RECEIVED)
    assert abs(float(message.duration_seconds) - 12) <= 0.5
    assert message.size_bytes == len(content) and not message.heard
    assert message.audio.name.startswith("voicemail/firmaabcde/11/2026/03/")
    assert (media / message.audio.name).read_bytes() == content

    (email,) = mail.outbox
    assert email.to == ["sprzedaz@firma.example"]
    assert email.subject == "Nowa wiadomość głosowa od +48 600 100 200 (numer wewnętrzny 11)"
    assert "Dzwoniący: +48 600 100 200" in email.body and "Długość: 0:12 min" in email.body
    ((name, attached, mimetype),) = email.attachments
    assert mimetype == "audio/mpeg" and name.endswith(".mp3")
    assert attached == content and len(attached) == message.size_bytes
    message.refresh_from_db()
    assert message.emailed_to == "sprzedaz@firma.example" and message.emailed_at is not None


def test_without_an_e_mail_address_nothing_is_sent(customer, account, django_capture_on_commit_callbacks):
    account.voicemail_email = ""
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        leave(customer)
    assert mail.outbox == []
    assert VoicemailMessage.objects.get().emailed_at is None


def test_a_failing_mail_server_keeps_the_message(customer, account, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        result = leave(customer)
    assert result.created and VoicemailMessage.objects.get().emailed_at is None


def test_the_same_message_id_twice_is_stored_once_and_e_mailed_once(
    customer, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = leave(customer)
        again = leave(customer, content=tone_mp3(30))
    assert first.created and not again.created
    assert again.message.pk == first.message.pk
    assert VoicemailMessage.objects.count() == 1 and len(mail.outbox) == 1


def test_a_wav_is_converted_to_mp3(customer, account):
    result = leave(customer, content=make_wav(3.0))
    with result.message.audio.open("rb") as stored:
        assert abs(MP3(stored).info.length - 3.0) <= 0.5


def test_an_mp3_from_elsewhere_is_kept_as_it_is(customer, account):
    content = make_mp3(2.0)
    result = leave(customer, content=content)
    with result.message.audio.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"just some text, not audio at all" * 20, "not a WAV or MP3"),
        (make_ogg(1.0), "not a WAV or MP3"),
        (truncated_mp3(4.0), "damaged"),
    ],
)
def test_what_is_not_audio_is_refused_and_nothing_stored(customer, account, media, content, words, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(Refused) as refused:
        leave(customer, content=content)
    assert refused.value.code == Refused.AUDIO and refused.value.field == "file"
    assert words in refused.value.message
    assert not VoicemailMessage.objects.exists()
    assert not list(media.rglob("*.mp3"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message_id": ""}, "message_id"),
        ({"message_id": "a b"}, "message_id"),
        ({"message_id": "x" * 65}, "message_id"),
        ({"received_at": datetime(2026, 3, 10, 9, 15)}, "received_at"),
        ({"caller": "<script>"}, "caller"),
    ],
)
def test_invalid_data_is_refused(customer, account, changes, field):
    with pytest.raises(Refused) as refused:
        leave(customer, **changes)
    assert (refused.value.code, refused.value.field) == (Refused.INVALID, field)


@pytest.mark.parametrize("caller", ["", "anonymous", "Anonymous", "private"])
def test_a_withheld_caller_is_stored_empty(customer, account, caller):
    assert leave(customer, caller=caller).message.caller == ""


def test_another_customers_extension_is_not_found(customer, account, other_customer):
    factories.sip_account(other_customer, extension="12")
    with pytest.raises(Refused) as refused:
        leave(customer, extension="12")
    assert refused.value.code == Refused.NOT_FOUND
    with pytest.raises(Refused):
        leave(other_customer, extension="11")
    assert not VoicemailMessage.objects.exists()


def test_marking_heard_and_new_again(customer, account):
    message = leave(customer).message
    assert voicemail_unheard_count(customer=customer, account=account) == 1
    voicemail_mark(customer=customer, message=message, heard=True)
    message.refresh_from_db()
    assert message.heard and message.heard_at is not None
    assert voicemail_unheard_count(customer=customer, account=account) == 0
    voicemail_mark(customer=customer, message=message, heard=False)
    message.refresh_from_db()
    assert not message.heard and message.heard_at is None


def test_another_customer_cannot_mark_or_delete(customer, account, other_customer):
    message = leave(customer).message
    with pytest.raises(VoicemailMessage.DoesNotExist):
        voicemail_mark(customer=other_customer, message=message, heard=True)
    with pytest.raises(VoicemailMessage.DoesNotExist):
        voicemail_delete(customer=other_customer, message=message)
    assert VoicemailMessage.objects.filter(pk=message.pk, heard=False).exists()


def test_deleting_removes_the_message_and_its_file(customer, account, media, django_capture_on_commit_callbacks):
    message = leave(customer).message
    path = media / message.audio.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        voicemail_delete(customer=customer, message=message)
    assert not VoicemailMessage.objects.exists() and not path.exists()


def test_the_list_searches_by_caller_and_filters_new_and_heard(customer, account):
    leave(customer, message_id="a", caller="+48600100200")
    heard = leave(customer, message_id="b", caller="+48221234567", received_at=RECEIVED + timedelta(hours=1)).message
    voicemail_mark(customer=customer, message=heard, heard=True)

    def callers(**filters):
        return [m.caller for m in voicemail_list(customer=customer, account=account, **filters)]

    assert callers() == ["+48221234567", "+48600100200"], "newest first"
    assert callers(query="600 100 200") == ["+48600100200"]
    assert callers(query="+48 22 123") == ["+48221234567"]
    assert callers(status="new") == ["+48600100200"]
    assert callers(status="heard") == ["+48221234567"]


# --- Pages -------------------------------------------------------------------------------------------------------


def list_url(account):
    return reverse("pbx:voicemail_messages", kwargs={"pk": account.pk})


def message_url(message, name="pbx:voicemail_message"):
    return reverse(name, kwargs={"pk": message.sip_account_id, "message_pk": message.pk})


@pytest.mark.smoke
def test_the_page_lists_the_messages_with_players_and_the_count_of_new_ones(client_user, customer, account):
    leave(customer, message_id="a", caller="+48600100200")
    leave(customer, message_id="b", caller="", received_at=RECEIVED + timedelta(minutes=5))
    response = client_user.get(list_url(account))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Wiadomości głosowe – 11" in page
    assert "2 nowe wiadomości" in page
    assert "+48 600 100 200" in page and "Numer zastrzeżony" in page
    assert page.count('data-testid="voicemail-player"') == 2
    assert "sprzedaz@firma.example" in page


def test_the_page_searches_and_paginates(client_user, customer, account):
    for index in range(27):
        leave(
            customer,
            message_id=f"m{index}",
            caller=f"+486001002{index:02d}",
            received_at=RECEIVED + timedelta(minutes=index),
        )
    page = client_user.get(list_url(account)).content.decode()
    assert page.count('data-testid="voicemail-row"') == 25 and "Strona 1 z 2" in page
    found = client_user.get(list_url(account), {"q": "600100226"}).content.decode()
    assert found.count('data-testid="voicemail-row"') == 1
    none = client_user.get(list_url(account), {"q": "999", "status": "heard"}).content.decode()
    assert "Żadna wiadomość nie pasuje." in none


def test_the_empty_page_says_so(client_user, account):
    page = client_user.get(list_url(account)).content.decode()
    assert "To konto nie ma wiadomości głosowych." in page and "0 nowych wiadomości" in page


def test_the_audio_streams_to_the_player_and_downloads(client_user, customer, account):
    content = tone_mp3(5)
    message = leave(customer, content=content).message
    response = client_user.get(message_url(message, "pbx:voicemail_message_audio"))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == content
    assert "attachment" not in response.get("Content-Disposition", "")
    download = client_user.get(message_url(message, "pbx:voicemail_message_audio"), {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment") and ".mp3" in download["Content-Disposition"]


def test_a_missing_audio_file_is_a_404_not_a_500(client_user, customer, account, media):
    message = leave(customer).message
    (media / message.audio.name).unlink()
    assert client_user.get(message_url(message, "pbx:voicemail_message_audio")).status_code == 404


def test_marking_heard_from_the_list_returns_to_the_list(client_user, customer, account):
    message = leave(customer).message
    back = list_url(account) + "?status=new"
    response = client_user.post(message_url(message), {"heard": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    message.refresh_from_db()
    assert message.heard
    page = client_user.get(list_url(account)).content.decode()
    assert "0 nowych wiadomości" in page and "Oznacz jako nową" in page
    client_user.post(message_url(message), {"heard": "0", "next": "https://evil.example/"})
    message.refresh_from_db()
    assert not message.heard


def test_the_message_page_shows_it_and_marks_it(client_user, customer, account):
    message = leave(customer).message
    page = client_user.get(message_url(message)).content.decode()
    assert "Wiadomość głosowa od +48 600 100 200" in page and "Oznacz jako odsłuchaną" in page
    response = client_user.post(message_url(message), {"heard": "1"})
    assert response["Location"] == message_url(message)
    assert "odsłuchana" in client_user.get(message_url(message)).content.decode()


def test_deleting_asks_first_then_deletes(client_user, customer, account):
    message = leave(customer).message
    page = client_user.get(message_url(message, "pbx:voicemail_message_delete")).content.decode()
    assert "Usuń wiadomość głosową" in page and "zostanie trwale usunięta" in page
    assert VoicemailMessage.objects.exists()
    response = client_user.post(message_url(message, "pbx:voicemail_message_delete"))
    assert response.status_code == 302 and response["Location"] == list_url(account)
    assert not VoicemailMessage.objects.exists()
    assert "została usunięta" in client_user.get(list_url(account)).content.decode()


def test_a_message_of_another_account_of_the_same_customer_is_404_under_this_account(client_user, customer, account):
    message = leave(customer).message
    other_account = factories.sip_account(customer, extension="12")
    url = reverse("pbx:voicemail_message", kwargs={"pk": other_account.pk, "message_pk": message.pk})
    assert client_user.get(url).status_code == 404
    assert client_user.post(url, {"heard": "1"}).status_code == 404


def test_operators_see_messages_and_the_sms_outbox_read_only_in_the_admin(client, operator, customer, account):
    leave(customer)
    client.force_login(operator)
    assert client.get(reverse("admin:pbx_voicemailmessage_changelist")).status_code == 200
    assert client.get(reverse("admin:pbx_outgoingsms_changelist")).status_code == 200
    assert client.get(reverse("admin:pbx_outgoingsms_add")).status_code == 403
    message = VoicemailMessage.objects.get()
    assert client.get(reverse("admin:pbx_voicemailmessage_change", args=[message.pk])).status_code == 200
    assert client.post(reverse("admin:pbx_voicemailmessage_delete", args=[message.pk])).status_code == 403
