"""The routing engine on a call to the callback service number ("Wdzwoń się"), agreeing with the dial-in rules."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from callback.tests import factories as callback_factories
from pbx.routing import AuthorizedNumber, DialInCall, Reply, ScriptedAnswers, StepKind, route
from pbx.routing.dialin import IvrOutcome, IvrStep, run_dial_in
from pbx.routing.reasons import render_step
from pbx.routing.testing import make_config
from pbx.selectors.routing import load_config
from pbx.tests import factories

SERVICE = "+48799366599"
MOBILE = "+48600100200"
WITH_PIN = "+48501200300"
AT = datetime(2026, 3, 25, 10, 0)


def config(**options):
    return make_config(
        authorized_numbers={
            MOBILE: AuthorizedNumber(MOBILE, "Jan", has_pin=False, presentation="+48943401128"),
            WITH_PIN: AuthorizedNumber(WITH_PIN, "Anna", has_pin=True),
        },
        service_number=SERVICE,
        **options,
    )


def trace(caller, answers=None, **options):
    return route(config(**options), DialInCall(caller=caller, at=AT), ScriptedAnswers(answers or {}))


def codes(result):
    return [step.code for step in result.steps]


@pytest.mark.smoke
def test_unknown_caller_is_hung_up_on_without_a_word():
    result = trace("+48600999888")
    assert codes(result) == ["dialin.call", "dialin.unknown_caller"]
    assert result.outcome == StepKind.HANGUP
    assert result.questions == []


def test_withheld_caller_is_hung_up_on():
    assert codes(trace("")) == ["dialin.call", "dialin.unknown_caller"]


@pytest.mark.smoke
def test_no_pin_goes_straight_to_the_target_and_bridges_a_polish_mobile_by_default():
    result = trace(MOBILE)
    assert codes(result) == [
        "dialin.call",
        "dialin.recognised",
        "dialin.target",
        "dialin.target_entered",
        "out.rate_ok",
        "dialin.ring",
        "dialin.bridged",
    ]
    assert result.outcome == StepKind.ANSWERED
    assert result.answered_by.number == "+48600100200"
    assert result.shown_number == "+48943401128"  # the authorized number's presentation
    assert [asked.question.key for asked in result.questions] == ["target.dialin", "called.+48600100200"]


def test_right_pin_then_the_target():
    result = trace(WITH_PIN, {"pin.dialin": Reply.CORRECT})
    assert codes(result)[:5] == ["dialin.call", "dialin.recognised", "dialin.pin", "dialin.pin_ok", "dialin.target"]
    assert result.outcome == StepKind.ANSWERED
    assert result.shown_number == SERVICE  # no presentation: the service number


def test_wrong_pin_twice_then_right_still_connects():
    result = trace(WITH_PIN, {"pin.dialin": Reply.WRONG, "pin.dialin.2": Reply.WRONG})
    assert codes(result).count("dialin.pin_wrong") == 2
    assert "dialin.pin_ok" in codes(result)
    assert result.outcome == StepKind.ANSWERED


def test_wrong_pin_three_times_hangs_up():
    wrong = {"pin.dialin": Reply.WRONG, "pin.dialin.2": Reply.WRONG, "pin.dialin.3": Reply.WRONG}
    result = trace(WITH_PIN, wrong)
    assert codes(result)[2:] == ["dialin.pin", "dialin.pin_wrong"] * 3 + ["dialin.pin_hangup"]
    assert result.outcome == StepKind.HANGUP
    assert render_step(result.steps[-1]) == "The PIN was wrong 3 times, so the service number hangs up."
    assert [asked.question.key for asked in result.questions] == ["pin.dialin", "pin.dialin.2", "pin.dialin.3"]


def test_no_target_entered_hangs_up():
    result = trace(MOBILE, {"target.dialin": Reply.TIMEOUT})
    assert codes(result)[-1] == "dialin.no_target"
    assert result.outcome == StepKind.HANGUP


def test_international_target_allowed_by_the_global_permission():
    result = trace(MOBILE, {"target.dialin": "+493012345678"})
    assert "dialin.international_allowed" in codes(result)
    assert result.outcome == StepKind.ANSWERED


def test_international_target_refused_when_the_global_permission_is_off():
    result = trace(MOBILE, {"target.dialin": "+493012345678"}, international_allowed=False)
    assert codes(result)[-1] == "dialin.international_denied"
    assert result.outcome == StepKind.REFUSED


def test_target_above_the_global_max_rate_is_refused():
    result = trace(MOBILE, {"target.dialin": "+8613812345678"})
    assert codes(result)[-1] == "out.rate_too_high"
    assert result.outcome == StepKind.REFUSED
    assert "1.990" in render_step(result.steps[-1])


@pytest.mark.parametrize("answer", [Reply.NO_ANSWER, Reply.BUSY, Reply.FAILED])
def test_target_not_answering_ends_the_call(answer):
    result = trace(MOBILE, {"called.+48600100200": answer})
    assert result.outcome == StepKind.HANGUP
    assert result.answered_by is None


# --- the engine follows pbx.routing.dialin -------------------------------------------------------------------------

_IVR_CODES = {
    IvrStep.PROMPT_PIN: "dialin.pin",
    IvrStep.PIN_WRONG: "dialin.pin_wrong",
    IvrStep.PIN_OK: "dialin.pin_ok",
    IvrStep.PROMPT_TARGET: "dialin.target",
}


@pytest.mark.parametrize(
    ("caller", "pins", "target"),
    [
        ("+48600999888", [], "+48600100200"),
        (MOBILE, [], "+48600100200"),
        (MOBILE, [], Reply.TIMEOUT),
        (WITH_PIN, [True], "+493012345678"),
        (WITH_PIN, [False, True], "+48600100200"),
        (WITH_PIN, [False, False, True], Reply.TIMEOUT),
        (WITH_PIN, [False, False, False], "+48600100200"),
    ],
)
def test_engine_and_ivr_agree(caller, pins, target):
    answers = {"target.dialin": target}
    for index, right in enumerate(pins, start=1):
        answers["pin.dialin" if index == 1 else f"pin.dialin.{index}"] = Reply.CORRECT if right else Reply.WRONG
    result = trace(caller, answers)

    authorized = config().authorized_numbers.get(caller)
    pin = "4321" if authorized and authorized.has_pin else ""
    entries = ["4321#" if right else "0000#" for right in pins]
    entries.append("" if target == Reply.TIMEOUT else "*" + target.removeprefix("+") + "#")
    ivr = run_dial_in(recognised=authorized is not None, pin=pin, entries=entries)

    expected = [_IVR_CODES[step] for step in ivr.steps if step in _IVR_CODES]
    ivr_codes = [code for code in codes(result) if code in _IVR_CODES.values()]
    assert ivr_codes == expected
    if ivr.outcome == IvrOutcome.TARGET:
        assert "dialin.target_entered" in codes(result)
        assert result.steps[codes(result).index("dialin.target_entered")].params["number"] == ivr.target
    else:
        assert result.outcome == StepKind.HANGUP


# --- Dial-in to the callback service number ("Wdzwoń się") ---------------------------------------------------------


@pytest.fixture
def authorized(db, customer, other_customer):
    own_did = factories.phone_number(customer, number="+48943401128")
    other_did = factories.phone_number(other_customer, number="+48221112233")
    mine = callback_factories.authorized_number(
        customer, description="Jan", number="+48600100200", presentation=own_did, pin="4321"
    )
    theirs = callback_factories.authorized_number(
        other_customer, description="Obcy", number="+48600999888", presentation=other_did
    )
    return {"mine": mine, "theirs": theirs}


URL = "/pbx/tracer/"
WEDNESDAY = {"date": "2026-03-25", "time": "10:00"}


def steps_text(response) -> str:
    html = response.content.decode()
    section = html[html.index('data-testid="steps"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section[: section.index("</ol>")]))


def dial_in(authorized_number, **extra) -> dict:
    return {"direction": "dialin", "authorized": authorized_number.pk, **WEDNESDAY, **extra}


@pytest.mark.smoke
def test_dial_in_offers_only_own_authorized_numbers(client_user, authorized):
    html = client_user.get(URL).content.decode()
    assert "Wdzwoń się (numer usługi)" in html
    assert "+48 600 100 200 – Jan" in html
    assert "Obcy" not in html and "600 999 888" not in html


def test_dial_in_traces_pin_target_and_bridge(client_user, authorized):
    response = client_user.get(URL, dial_in(authorized["mine"]))
    assert response.status_code == 200
    text = steps_text(response)
    assert "numer usługi +48 799 366 599" in text
    assert "Numer usługi prosi o kod PIN" in text
    assert "4321" not in response.content.decode()  # the PIN itself never reaches the page
    assert "odbiera i zostaje połączony z dzwoniącym" in text
    assert "osoba wywoływana widzi +48 943 401 128" in text


def test_dial_in_wrong_pin_three_times_hangs_up(client_user, authorized):
    wrong = {"a-pin.dialin": "wrong", "a-pin.dialin.2": "wrong", "a-pin.dialin.3": "wrong"}
    response = client_user.get(URL, dial_in(authorized["mine"], **wrong))
    assert "Kod PIN był błędny 3 razy, więc numer usługi rozłącza." in steps_text(response)


def test_dial_in_to_an_expensive_target_is_refused(client_user, authorized):
    response = client_user.get(URL, dial_in(authorized["mine"], **{"a-target.dialin": "+8613812345678"}))
    html = response.content.decode()
    assert 'data-outcome="refused"' in html


def test_dial_in_needs_an_authorized_number(client_user, authorized):
    response = client_user.get(URL, {"direction": "dialin", **WEDNESDAY})
    assert response.status_code == 200
    assert "Wybierz upoważniony numer, który dzwoni." in response.content.decode()
    assert 'data-testid="steps"' not in response.content.decode()


def test_dial_in_from_another_customers_authorized_number_is_a_form_error(client_user, authorized):
    response = client_user.get(URL, dial_in(authorized["theirs"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="steps"' not in html
    assert "Obcy" not in html


def test_snapshot_holds_own_authorized_numbers_without_the_pin(customer, authorized):
    config = load_config(customer=customer)
    assert set(config.authorized_numbers) == {"+48600100200"}
    loaded = config.authorized_numbers["+48600100200"]
    assert loaded == AuthorizedNumber("+48600100200", "Jan", has_pin=True, presentation="+48943401128")
    assert "4321" not in repr(config.authorized_numbers)
    assert config.service_number == "+48799366599"
    result = route(config, DialInCall(caller="+48600999888", at=AT))  # the other customer's number: unknown here
    assert codes(result) == ["dialin.call", "dialin.unknown_caller"]
