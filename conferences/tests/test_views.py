"""The teleconference pages through Django's test client: availability, the room form, add participant."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences import services
from conferences.models import ConferenceRoom, DialOut
from conferences.tests import factories
from pbx.tests import factories as pbx_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def premium(customer):
    return factories.premium(customer)


def _form(**change):
    data = {
        "name": "Telekonferencje z Klientami",
        "pin": "4545",
        "number": "*7556",
        "greeting_kind": "system",
        "play_join_leave_tone": "on",
        "announce_count": "on",
        "max_participants": "15",
        "phone_number": "",
    }
    data.update(change)
    return data


@pytest.mark.smoke
def test_without_the_service_the_page_explains_how_to_get_it(client_user):
    page = client_user.get(reverse("conferences:rooms")).content.decode()
    assert "Premium" in page and "Elite" in page
    assert "10,00" in page and "30,00" in page  # 3 days and a month, net
    assert "12,30" in page and "36,90" in page  # and gross
    assert reverse("billing:services") in page
    assert 'name="pin"' not in client_user.get(reverse("conferences:room_create")).content.decode()


def test_a_room_is_created_and_its_number_routed(client_user, premium):
    number = pbx_factories.phone_number(premium, number="+48324000004")
    response = client_user.post(reverse("conferences:room_create"), _form(phone_number=number.pk))
    room = ConferenceRoom.objects.get()
    assert response.status_code == 302 and response.url == reverse("conferences:room", kwargs={"pk": room.pk})
    number.refresh_from_db()
    assert number.route_conference == room
    page = client_user.get(reverse("conferences:rooms")).content.decode()
    assert "Telekonferencje z Klientami" in page and "*7556" in page and "+48 324 000 004" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"pin": "12"}, "4 do 8 cyfr"),
        ({"number": "7556"}, "*"),
        ({"max_participants": "16"}, "15"),
        ({"greeting_kind": "own"}, "plik"),
    ],
)
def test_bad_room_input_is_explained_in_polish_and_nothing_is_saved(client_user, premium, change, message):
    response = client_user.post(reverse("conferences:room_create"), _form(**change))
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "invalid-feedback" in response.content.decode()
    assert message in response.content.decode()
    assert not ConferenceRoom.objects.exists()


def test_a_number_used_by_an_extension_is_refused(client_user, premium):
    factories.room(premium, name="A")
    response = client_user.post(reverse("conferences:room_create"), _form(name="B"))
    assert response.status_code == 200
    assert ConferenceRoom.objects.count() == 1


def test_another_customers_number_cannot_be_chosen(client_user, premium, other_customer):
    foreign = pbx_factories.phone_number(other_customer, number="+48324000009")
    response = client_user.post(reverse("conferences:room_create"), _form(phone_number=foreign.pk))
    assert response.status_code == 200
    assert not ConferenceRoom.objects.exists()


def test_calling_an_outside_number_shows_its_rate_before_calling(client_user, premium, rq):
    room = factories.room(premium, name="A")
    url = reverse("conferences:participant_add", kwargs={"pk": room.pk})
    confirm = client_user.post(url, {"number": "601 222 333"})
    page = confirm.content.decode()
    assert 'data-testid="cost-confirmation"' in page and "zł/min" in page
    assert not DialOut.objects.exists()

    done = client_user.post(url, {"number": "+48601222333", "confirm": "yes"})
    assert done.status_code == 302
    assert DialOut.objects.get().number == "+48601222333"


def test_an_extension_is_called_without_a_cost_confirmation(client_user, premium, rq):
    pbx_factories.sip_account(premium, extension="10", name="Recepcja")
    room = factories.room(premium, name="A")
    response = client_user.post(reverse("conferences:participant_add", kwargs={"pk": room.pk}), {"number": "10"})
    assert response.status_code == 302
    assert DialOut.objects.get().number == "10"


def test_a_time_in_the_past_is_refused_in_polish(client_user, premium):
    room = factories.room(premium, name="A")
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_user.post(
        reverse("conferences:participant_add", kwargs={"pk": room.pk}), {"number": "601222333", "at": past}
    )
    assert response.status_code == 200
    assert "minęła" in response.content.decode()
    assert not DialOut.objects.exists()


def test_a_planned_call_can_be_cancelled(client_user, premium, rq):
    room = factories.room(premium, name="A")
    dial_out = services.dial_out_request(
        customer=premium, room=room, number="+48601222333", at=timezone.now() + timedelta(hours=2)
    )
    url = reverse("conferences:dial_out_cancel", kwargs={"pk": dial_out.pk})
    assert "+48601222333" in client_user.get(url).content.decode()
    client_user.post(url)
    dial_out.refresh_from_db()
    assert dial_out.status == "cancelled"


def test_deleting_a_room_asks_first(client_user, premium):
    room = factories.room(premium, name="Sala A")
    url = reverse("conferences:room_delete", kwargs={"pk": room.pk})
    assert "Sala A" in client_user.get(url).content.decode()
    client_user.post(url)
    assert not ConferenceRoom.objects.exists()


def test_a_forged_yes_for_an_unpriced_number_places_no_call(client_user, premium, rq):
    from billing.models import TariffRate

    TariffRate.objects.all().delete()  # no destination prices the number
    room = factories.room(premium, name="A")
    url = reverse("conferences:participant_add", kwargs={"pk": room.pk})
    response = client_user.post(url, {"number": "+48601222333", "confirm": "yes"})
    assert response.status_code == 200
    assert not DialOut.objects.exists()
