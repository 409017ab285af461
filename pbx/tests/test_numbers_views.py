"""Numery Telefonu > Zarządzaj numerami: all of the customer's numbers in one form, saved all or nothing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pbx import choices
from pbx.tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("pbx:phone_numbers")


@pytest.fixture
def setup(customer, other_customer):
    """Two numbers, an extension, an external number and a queue of the customer; the same of another one."""
    data = {
        "koszalin": factories.phone_number(customer, number="+48943401128", area="Polska > Koszalin"),
        "warszawa": factories.phone_number(customer, number="+48223001122", area="Polska > Warszawa"),
        "extension": factories.sip_account(customer, extension="10", name="Biuro"),
        "external": factories.external_number(customer, number="+48501222333", description="Jan"),
        "queue": factories.queue(customer, name="Sprzedaż", number="600"),
        "foreign_number": factories.phone_number(other_customer, number="+48123005566", description="Obcy"),
        "foreign_extension": factories.sip_account(other_customer, extension="10", name="Obcy"),
        "foreign_external": factories.external_number(other_customer, number="+48601999888"),
        "foreign_queue": factories.queue(other_customer, name="Obca", number="700"),
    }
    return data


def form_data(rows, total=None):
    """POST data of the formset: rows are dicts with id, description, clip_prefix and target."""
    data = {
        "numbers-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "numbers-INITIAL_FORMS": str(len(rows)),
        "numbers-MIN_NUM_FORMS": "0",
        "numbers-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        defaults = {"description": "", "clip_prefix": "", "target": "none"}
        for key, value in {**defaults, **row}.items():
            data[f"numbers-{index}-{key}"] = value
    return data


def test_page_lists_every_own_number_with_grouped_targets(client_user, setup):
    page = client_user.get(URL).content.decode()
    assert "<h1" in page and "Numery Telefonu" in page and "Zarządzaj numerami" in page
    assert "+48 943 401 128" in page and "Polska &gt; Koszalin" in page
    assert "+48 223 001 122" in page
    assert "+48 123 005 566" not in page
    assert '<option value="none" selected>Nie przekierowuj</option>' in page
    assert '<optgroup label="Numery wewnętrzne">' in page
    assert f'<option value="extension:{setup["extension"].pk}">10 – Biuro (firmaabcde_10)</option>' in page
    assert '<optgroup label="Numery zewnętrzne">' in page
    assert f'<option value="external:{setup["external"].pk}">+48 501 222 333 – Jan</option>' in page
    assert '<optgroup label="Kolejki">' in page
    assert f'<option value="queue:{setup["queue"].pk}">Sprzedaż (600)</option>' in page
    first_select = page[page.index("<select") : page.index("</select>")]
    assert re.findall(r'<option value="([^"]+)"', first_select) == [
        "none",
        f"extension:{setup['extension'].pk}",
        f"external:{setup['external'].pk}",
        f"queue:{setup['queue'].pk}",
    ]
    assert "Obca" not in page and "+48 601 999 888" not in page
    assert "Zapisz ustawienia dla zakupionych numerów" in page


def test_current_route_is_preselected(client_user, setup):
    number = setup["koszalin"]
    number.route_kind, number.route_queue = choices.RouteKind.QUEUE, setup["queue"]
    number.save()
    page = client_user.get(URL).content.decode()
    assert f'<option value="queue:{setup["queue"].pk}" selected>' in page


def test_search_filters_the_rows(client_user, setup):
    setup["warszawa"].description = "Infolinia"
    setup["warszawa"].save()
    page = client_user.get(URL, {"q": "infolinia"}).content.decode()
    assert "+48 223 001 122" in page and "+48 943 401 128" not in page
    page = client_user.get(URL, {"q": "94 340"}).content.decode()
    assert "+48 943 401 128" in page and "+48 223 001 122" not in page
    assert "Brak pasujących numerów." in client_user.get(URL, {"q": "nic"}).content.decode()


def test_no_numbers_yet(client_user):
    assert "Nie masz jeszcze numerów telefonu." in client_user.get(URL).content.decode()


def test_valid_save_routes_every_row(client_user, setup):
    koszalin, warszawa = setup["koszalin"], setup["warszawa"]
    warszawa.route_kind, warszawa.route_queue = choices.RouteKind.QUEUE, setup["queue"]
    warszawa.save()
    response = client_user.post(
        URL,
        form_data(
            [
                {
                    "id": koszalin.pk,
                    "description": "Infolinia",
                    "clip_prefix": "INFO",
                    "target": f"extension:{setup['extension'].pk}",
                },
                {"id": warszawa.pk, "target": f"external:{setup['external'].pk}"},
            ]
        ),
        follow=True,
    )
    assert "Zapisano ustawienia Twoich numerów." in response.content.decode()
    koszalin.refresh_from_db()
    warszawa.refresh_from_db()
    assert (koszalin.description, koszalin.clip_prefix, koszalin.route_kind) == ("Infolinia", "INFO", "extension")
    assert koszalin.route_sip == setup["extension"]
    assert (warszawa.route_kind, warszawa.route_external, warszawa.route_queue) == (
        "external",
        setup["external"],
        None,
    )


def test_do_not_forward_clears_every_target(client_user, setup):
    number = setup["koszalin"]
    number.route_kind, number.route_sip = choices.RouteKind.EXTENSION, setup["extension"]
    number.save()
    client_user.post(URL, form_data([{"id": number.pk, "target": "none"}]))
    number.refresh_from_db()
    assert (number.route_kind, number.route_sip, number.route_external, number.route_queue) == (
        "none",
        None,
        None,
        None,
    )


def test_one_bad_row_saves_nothing_and_marks_that_row(client_user, setup):
    koszalin, warszawa = setup["koszalin"], setup["warszawa"]
    response = client_user.post(
        URL,
        form_data(
            [
                {"id": koszalin.pk, "description": "Infolinia", "target": f"queue:{setup['queue'].pk}"},
                {"id": warszawa.pk, "clip_prefix": "ZA-DŁUGI-PREFIKS"},
            ]
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nic nie zostało zapisane" in page
    assert "co najwyżej 10 znaków" in page
    assert 'value="Infolinia"' in page  # what the customer typed stays in the form
    koszalin.refresh_from_db()
    assert (koszalin.description, koszalin.route_kind) == ("", "none")


@pytest.mark.parametrize("clip", ["INFO", "A1 #*+-", ""])
def test_valid_clip_prefix(client_user, setup, clip):
    client_user.post(URL, form_data([{"id": setup["koszalin"].pk, "clip_prefix": clip}]))
    setup["koszalin"].refresh_from_db()
    assert setup["koszalin"].clip_prefix == clip


@pytest.mark.parametrize("clip", ["ZA-DŁUGI-PREFIKS", "ŻÓŁW", "a/b"])
def test_invalid_clip_prefix(client_user, setup, clip):
    page = client_user.post(URL, form_data([{"id": setup["koszalin"].pk, "clip_prefix": clip}])).content.decode()
    assert "Nic nie zostało zapisane" in page


@pytest.mark.parametrize(
    "target", ["foreign_extension", "foreign_external", "foreign_queue"], ids=["extension", "external", "queue"]
)
def test_forged_target_of_another_customer_is_a_row_error(client_user, setup, target):
    kind = {"foreign_extension": "extension", "foreign_external": "external", "foreign_queue": "queue"}[target]
    number = setup["koszalin"]
    page = client_user.post(
        URL, form_data([{"id": number.pk, "target": f"{kind}:{setup[target].pk}"}])
    ).content.decode()
    assert "Wybierz poprawną wartość" in page
    number.refresh_from_db()
    assert number.route_kind == "none"
    assert (number.route_sip, number.route_external, number.route_queue) == (None, None, None)


def test_a_number_can_go_to_an_own_teleconference_room_which_the_conferences_app_offers(
    client_user, customer, other_customer, setup
):
    from conferences.models import ConferenceRoom

    room = ConferenceRoom.objects.create(customer=customer, name="Zarząd", pin="4545", number="*7556")
    foreign = ConferenceRoom.objects.create(customer=other_customer, name="Obca sala", pin="4545", number="*7557")
    page = client_user.get(URL).content.decode()
    assert f'<optgroup label="Sale telekonferencyjne"><option value="conference:{room.pk}">Zarząd (*7556)</option>' in (
        re.sub(r">\s+<", "><", page)
    )
    assert "Obca sala" not in page
    number = setup["koszalin"]
    forged = client_user.post(URL, form_data([{"id": number.pk, "target": f"conference:{foreign.pk}"}]))
    assert "Wybierz poprawną wartość" in forged.content.decode()
    client_user.post(URL, form_data([{"id": number.pk, "target": f"conference:{room.pk}"}]))
    number.refresh_from_db()
    assert (number.route_kind, number.route_conference) == (choices.RouteKind.CONFERENCE, room)


@pytest.mark.parametrize("target", ["extension:999999", "voicemail:1", "extension:abc", "extension", ""])
def test_garbage_target_is_a_row_error(client_user, setup, target):
    number = setup["koszalin"]
    page = client_user.post(URL, form_data([{"id": number.pk, "target": target}])).content.decode()
    assert "Nic nie zostało zapisane" in page
    number.refresh_from_db()
    assert number.route_kind == "none"


def test_other_customers_number_id_is_never_changed(client_user, setup):
    foreign, own = setup["foreign_number"], setup["koszalin"]
    response = client_user.post(
        URL,
        form_data(
            [
                {"id": own.pk, "description": "Mój"},
                {"id": foreign.pk, "description": "Przejęty", "target": f"extension:{setup['extension'].pk}"},
            ]
        ),
    )
    page = response.content.decode()
    assert "Tego numeru nie ma na Twoim koncie." in page
    assert "Nic nie zostało zapisane" in page
    foreign.refresh_from_db()
    own.refresh_from_db()
    assert (foreign.description, foreign.route_kind) == ("Obcy", "none")
    assert own.description == ""


@pytest.mark.parametrize("bad_id", ["999999", "abc", ""])
def test_unknown_or_missing_number_id_is_a_row_error(client_user, setup, bad_id):
    page = client_user.post(URL, form_data([{"id": bad_id, "description": "x"}])).content.decode()
    assert "Nic nie zostało zapisane" in page


def test_the_same_number_twice_is_refused(client_user, setup):
    number = setup["koszalin"]
    page = client_user.post(
        URL, form_data([{"id": number.pk, "description": "A"}, {"id": number.pk, "description": "B"}])
    ).content.decode()
    assert "Numer występuje w formularzu dwukrotnie" in page
    number.refresh_from_db()
    assert number.description == ""


def test_tampered_management_form_saves_nothing(client_user, setup):
    data = form_data([{"id": setup["koszalin"].pk, "description": "A"}])
    del data["numbers-TOTAL_FORMS"]
    response = client_user.post(URL, data)
    assert response.status_code == 200
    setup["koszalin"].refresh_from_db()
    assert setup["koszalin"].description == ""


def test_extra_empty_forms_are_ignored(client_user, setup):
    client_user.post(URL, form_data([{"id": setup["koszalin"].pk, "description": "A"}], total=3))
    setup["koszalin"].refresh_from_db()
    assert setup["koszalin"].description == "A"


def test_saving_a_filtered_page_keeps_the_filter(client_user, setup):
    response = client_user.post(f"{URL}?q=943", form_data([{"id": setup["koszalin"].pk, "description": "A"}]))
    assert response.status_code == 302
    assert response.url == f"{URL}?q=943"


def test_page_queries_do_not_grow_with_the_number_of_rows(client_user, customer, setup):
    with CaptureQueriesContext(connection) as few:
        client_user.get(URL)
    for index in range(40):
        factories.phone_number(customer, number=f"+4822300{index:04d}", route_kind="none")
    with CaptureQueriesContext(connection) as many:
        client_user.get(URL)
    assert len(many) == len(few)


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302
