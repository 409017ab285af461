"""The call tracer page ("Sprawdź trasę połączenia"): the form, the traced route in Polish, and tenancy."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from conferences.tests import factories as conferences_factories
from pbx import choices
from pbx.tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("pbx:tracer")
SATURDAY = {"date": "2026-03-28", "time": "20:00"}
WEDNESDAY = {"date": "2026-03-25", "time": "10:00"}
OFFICE_HOURS = {day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}


@pytest.fixture
def office(customer):
    """Extension 10 with voicemail, extension 11, and the number +48 94 340 1128 forwarded to 10."""
    ten = factories.sip_account(customer, extension="10", name="Sekretariat", voicemail_enabled=True)
    eleven = factories.sip_account(customer, extension="11", name="Biuro")
    number = factories.phone_number(
        customer, number="+48943401128", route_kind=choices.RouteKind.EXTENSION, route_sip=ten
    )
    return {"ten": ten, "eleven": eleven, "number": number}


@pytest.fixture
def foreign(other_customer):
    account = factories.sip_account(other_customer, extension="10", name="Obcy")
    number = factories.phone_number(
        other_customer, number="+48221112233", route_kind=choices.RouteKind.EXTENSION, route_sip=account
    )
    scheme = factories.scheme(other_customer, name="Obcy schemat")
    return {"account": account, "number": number, "scheme": scheme}


def incoming(number, **extra) -> dict:
    return {"direction": "incoming", "phone_number": number.pk, "caller": "600 100 200", **WEDNESDAY, **extra}


def outgoing(account, dialled, **extra) -> dict:
    return {"direction": "outgoing", "extension": account.pk, "dialled": dialled, **WEDNESDAY, **extra}


def steps_text(response) -> str:
    html = response.content.decode()
    section = html[html.index('data-testid="steps"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section[: section.index("</ol>")]))


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.smoke
def test_empty_form_with_now_and_only_own_numbers(client_user, office, foreign):
    response = client_user.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Sprawdź trasę połączenia" in html
    assert "+48 943 401 128" in html
    assert "+48 221 112 233" not in html
    assert "Obcy" not in html
    assert response.context["form"]["date"].value()  # today by default
    assert not response.context["traced"]


def test_incoming_call_answered_by_default(client_user, office):
    response = client_user.get(URL, incoming(office["number"]))
    assert response.status_code == 200
    assert response.context["result"].outcome == "answered"
    text = steps_text(response)
    assert "Dzwoni +48 600 100 200 na numer +48 943 401 128" in text
    assert "Numer +48 943 401 128 jest przekierowany na numer wewnętrzny 10 Sekretariat." in text
    assert "Odbiera numer wewnętrzny 10 Sekretariat." in text
    html = response.content.decode()
    assert "Czy numer wewnętrzny 10 Sekretariat odbiera?" in html
    assert 'name="a-ext.10"' in html
    assert "Połączenie zostaje odebrane" in html


def test_changing_an_answer_changes_the_route(client_user, office):
    response = client_user.get(URL, incoming(office["number"], **{"a-ext.10": "no_answer"}))
    assert response.context["result"].outcome == "voicemail"
    text = steps_text(response)
    assert "Numer wewnętrzny 10 Sekretariat nie odebrał w ciągu 30 s." in text
    assert "zostawia wiadomość na poczcie głosowej numeru 10 Sekretariat" in text
    assert '<option value="no_answer" selected>' in response.content.decode()


def test_an_answer_outside_the_options_uses_the_default_and_says_so(client_user, office):
    response = client_user.get(URL, incoming(office["number"], **{"a-ext.10": "maybe"}))
    assert response.context["result"].outcome == "answered"
    assert "Tej odpowiedzi nie ma na liście, więc użyto domyślnej." in response.content.decode()


def test_busy_forward_with_call_waiting_off(client_user, office):
    ten = office["ten"]
    ten.call_waiting = False
    ten.fwd_busy_kind = choices.ForwardKind.EXTENSION
    ten.fwd_busy_sip = office["eleven"]
    ten.save()
    response = client_user.get(URL, incoming(office["number"], **{"a-ext.10": "busy"}))
    result = response.context["result"]
    assert result.outcome == "answered" and result.answered_by.number == "11"
    assert "połączenie oczekujące jest wyłączone" in steps_text(response)


def test_withheld_caller(client_user, office):
    response = client_user.get(URL, incoming(office["number"], caller=""))
    assert "Dzwoni numer zastrzeżony na numer" in steps_text(response)


def test_international_call_refused_in_polish(client_user, office):
    ten = office["ten"]
    ten.international = choices.InternationalPermission.DENY
    ten.save()
    response = client_user.get(URL, outgoing(ten, "+49 30 1234567"))
    assert response.context["result"].outcome == "refused"
    assert "nie ma zgody na połączenia międzynarodowe" in steps_text(response)
    assert "Połączenie zostaje odrzucone" in response.content.decode()


def test_call_above_the_max_rate_refused_with_the_prices(client_user, office):
    ten = office["ten"]
    ten.max_rate_mode = choices.MaxRateMode.OWN
    ten.max_rate = Decimal("0.10")
    ten.save()
    response = client_user.get(URL, outgoing(ten, "600 100 200"))
    assert response.context["result"].outcome == "refused"
    assert "Polska Komórka kosztuje 0,110 zł/min, więcej niż własna maksymalna stawka konta SIP 0,100 zł/min" in (
        steps_text(response)
    )


def test_outgoing_pin_question_and_wrong_pin(client_user, office):
    ten = office["ten"]
    ten.outgoing_pin = "1234"
    ten.save()
    response = client_user.get(URL, outgoing(ten, "221234567", **{"a-pin.outgoing": "wrong"}))
    assert response.context["result"].outcome == "refused"
    assert "Czy dzwoniący podaje poprawny kod PIN?" in response.content.decode()
    assert "Kod PIN jest błędny" in steps_text(response)


def test_queue_log_in_code(client_user, office, customer):
    factories.queue(customer, name="Obsługa", number="1000")
    response = client_user.get(URL, outgoing(office["eleven"], "1000*1"))
    assert "Numer wewnętrzny 11 Biuro loguje się jako konsultant kolejki Obsługa." in steps_text(response)


def test_queue_question_lists_the_agents(client_user, office, customer):
    queue = factories.queue(customer, name="Obsługa", number="1000", max_wait=60)
    factories.queue_agent(queue, sip=office["ten"], position=0)
    factories.queue_agent(queue, sip=office["eleven"], position=1)
    number = office["number"]
    number.route_kind, number.route_sip, number.route_queue = choices.RouteKind.QUEUE, None, queue
    number.save()
    response = client_user.get(URL, incoming(number, **{f"a-queue.{queue.pk}": "nobody"}))
    html = response.content.decode()
    assert "Kto odbiera w kolejce Obsługa?" in html
    assert ">11 Biuro</option>" in html
    assert "Nikt (wszyscy zajęci lub nie odbierają)" in html
    assert response.context["result"].outcome == "hangup"
    assert "Żaden konsultant nie odebrał w maksymalnym czasie oczekiwania 60 s." in steps_text(response)


def scheme_graph(ten_pk: int) -> dict:
    def node(kind, exits, label, **config):
        return {"type": kind, "label": label, "config": config, "exits": exits, "position": {"x": 0, "y": 0}}

    return {
        "start": "hello",
        "nodes": {
            "hello": node("announcement", {"next": "hours"}, "Powitanie", greeting="system", text=""),
            "hours": node(
                "time_condition",
                {"matched": "menu", "unmatched": "vm"},
                "Godziny pracy",
                hours=OFFICE_HOURS,
                holidays=[],
                use_public_holidays=True,
            ),
            "menu": node("ivr", {"1": "vm", "timeout": "vm", "invalid": "vm"}, "Menu", options=["1"]),
            "vm": node("voicemail", {}, "Poczta", sip_account=ten_pk),
        },
    }


def test_scheme_route_lists_the_visited_elements(client_user, office, customer):
    scheme = factories.scheme(customer, name="Infolinia", graph=scheme_graph(office["ten"].pk))
    number = office["number"]
    number.route_kind, number.route_sip, number.route_scheme = choices.RouteKind.SCHEME, None, scheme
    number.save()
    response = client_user.get(URL, incoming(number, **SATURDAY))
    assert response.context["result"].outcome == "voicemail"
    html = response.content.decode()
    assert "Elementy schematu „Infolinia” na trasie" in html
    assert response.context["visited_labels"] == ["Powitanie", "Godziny pracy", "Poczta"]
    match = re.search(r'data-visited-nodes="([^"]*)"', html)
    assert json.loads(match.group(1).replace("&quot;", '"')) == ["hello", "hours", "vm"]
    assert "jest sobota, 2026-03-28 20:00, a w ten dzień nie ma godzin pracy" in steps_text(response)


def test_scheme_parameter_from_the_editor_traces_the_scheme_now(client_user, office, customer):
    scheme = factories.scheme(customer, name="Nowy", graph=scheme_graph(office["ten"].pk))
    response = client_user.get(URL, {"scheme": scheme.pk})
    assert response.status_code == 200
    assert response.context["traced"]
    assert response.context["scheme_id"] == scheme.pk
    assert response.context["result"].visited_nodes()[:2] == ["hello", "hours"]


def test_public_holiday_on_a_weekday(client_user, office, customer):
    scheme = factories.scheme(customer, name="Infolinia", graph=scheme_graph(office["ten"].pk))
    response = client_user.get(
        URL, {"direction": "incoming", "scheme": scheme.pk, "date": "2026-04-06", "time": "10:00"}
    )
    assert "2026-04-06 10:00 to dzień ustawowo wolny od pracy (Poniedziałek Wielkanocny)" in steps_text(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"direction": "incoming", **WEDNESDAY}, "phone_number", "Wybierz numer, na który ktoś dzwoni."),
        ({"direction": "outgoing", "dialled": "11", **WEDNESDAY}, "extension", "Wybierz numer wewnętrzny"),
        ({"direction": "incoming", "caller": "12345", **WEDNESDAY}, "caller", "Polski numer ma 9 cyfr"),
        ({"direction": "incoming", "date": "2026-02-30", "time": "10:00"}, "date", "Wpisz poprawną datę."),
        ({"direction": "incoming", "date": "2026-03-25", "time": "25:00"}, "time", "Wpisz poprawną godzinę."),
        ({"direction": "sideways", **WEDNESDAY}, "direction", "Wybierz poprawną wartość."),
    ],
)
def test_bad_input_is_a_clear_form_error(client_user, office, data, field, message):
    response = client_user.get(URL, data)
    assert response.status_code == 200
    assert not response.context["traced"]
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors


def test_dialled_with_letters_is_refused(client_user, office):
    response = client_user.get(URL, outgoing(office["ten"], "abc"))
    assert not response.context["traced"]
    assert "Wybierz tylko cyfry, * i #" in response.context["form"].errors["dialled"][0]


def test_another_customers_number_is_not_a_choice(client_user, office, foreign):
    form = client_user.get(URL).context["form"]
    assert list(form.fields["phone_number"].queryset) == [office["number"]]
    assert foreign["account"] not in form.fields["extension"].queryset
    response = client_user.get(URL, incoming(foreign["number"]))
    assert not response.context["traced"]
    assert "Wybierz poprawną wartość" in response.context["form"].errors["phone_number"][0]


def test_another_customers_extension_cannot_make_the_call(client_user, office, foreign):
    response = client_user.get(URL, outgoing(foreign["account"], "221234567"))
    assert not response.context["traced"]
    assert "Wybierz poprawną wartość" in response.context["form"].errors["extension"][0]


def test_another_customers_scheme_cannot_be_traced(client_user, office, foreign):
    response = client_user.get(URL, {"scheme": foreign["scheme"].pk})
    assert response.status_code == 200
    assert not response.context["traced"]
    assert "Wybierz poprawną wartość" in response.context["form"].errors["scheme"][0]


def test_the_route_never_reaches_another_customers_objects(client_user, office, foreign, customer):
    """Even a scheme that names another customer's extension by id cannot ring it: the snapshot holds only ours."""
    graph = {
        "start": "x",
        "nodes": {
            "x": {"type": "extension", "label": "Obcy", "config": {"sip_account": foreign["account"].pk}, "exits": {}}
        },
    }
    scheme = factories.scheme(customer, name="Podstępny", graph=graph)
    response = client_user.get(URL, {"direction": "incoming", "scheme": scheme.pk, **WEDNESDAY})
    result = response.context["result"]
    assert result.outcome == "hangup"
    assert result.final.code == "scheme.missing_object"
    assert "Obcy" not in steps_text(response).replace("„Obcy”", "")


def test_external_forward_with_active_presentation(client_user, office, customer):
    external = factories.external_number(
        customer, number="+48600700800", presentation=choices.ExternalPresentation.ACTIVE
    )
    number = office["number"]
    number.route_kind, number.route_sip, number.route_external = choices.RouteKind.EXTERNAL, None, external
    number.save()
    response = client_user.get(URL, incoming(number))
    text = steps_text(response)
    assert "Prezentacja aktywna: wyświetla się +48 943 401 128, czyli numer, na który dzwoniono." in text
    assert "Połączenie kosztuje 0,110 zł/min (Polska Komórka) według Twojej taryfy." in text


def test_reset_link_keeps_the_call_and_drops_the_answers(client_user, office):
    response = client_user.get(URL, incoming(office["number"], **{"a-ext.10": "no_answer"}))
    reset = response.context["reset_url"]
    assert f"phone_number={office['number'].pk}" in reset
    assert "a-ext" not in reset


def test_a_number_routed_to_a_teleconference_room_asks_the_pin_up_to_three_times(client_user, customer):
    number = factories.phone_number(customer, number="+48324000004")
    room = conferences_factories.room(conferences_factories.premium(customer), phone_number=number)
    joined = client_user.get(URL, incoming(number))
    assert "to numer sali telekonferencyjnej „Zarząd”" in steps_text(joined)
    assert f'name="a-pin.conference.{room.pk}"' in joined.content.decode()

    wrong = {f"a-pin.conference.{room.pk}": "wrong", f"a-pin.conference.{room.pk}.2": "wrong"}
    wrong[f"a-pin.conference.{room.pk}.3"] = "wrong"
    text = steps_text(client_user.get(URL, incoming(number, **wrong)))
    assert "był błędny 3 razy: dzwoniący zostaje rozłączony" in text


def test_without_an_app_that_offers_dial_in_the_tracer_leaves_it_out(customer, monkeypatch):
    from pbx import registry
    from pbx.forms.tracer import DIAL_IN, TracerForm

    monkeypatch.setattr(registry, "dial_in_callers", [])
    form = TracerForm(initial=TracerForm.initial_values(), customer=customer)
    assert "authorized" not in form.fields
    assert DIAL_IN not in [value for value, _label in form.fields["direction"].choices]
    assert not TracerForm({"direction": DIAL_IN, **SATURDAY}, customer=customer).is_valid()
