"""The routing snapshot: one customer's configuration read from the database into the engine's plain data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.tests import factories as billing_factories
from pbx import choices
from pbx.routing import DialledCall, IncomingCall, ScriptedAnswers, route
from pbx.selectors.routing import load_config
from pbx.tests import factories

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 3, 25, 10, 0)


@pytest.fixture
def setup(customer, other_customer):
    did = factories.phone_number(customer, number="+48943401128", description="Infolinia")
    ten = factories.sip_account(
        customer,
        extension="10",
        name="Sekretariat",
        caller_id=did,
        voicemail_enabled=True,
        voicemail_pin="1111",
        international=choices.InternationalPermission.DENY,
        max_rate_mode=choices.MaxRateMode.OWN,
        max_rate=Decimal("0.20"),
        outgoing_pin="4321",
        internal_presentation=choices.InternalPresentation.SUBSTITUTE,
        internal_substitute="100",
    )
    mobile = factories.external_number(
        customer, number="+48600700800", short_code="*022#", presentation=choices.ExternalPresentation.ACTIVE
    )
    eleven = factories.sip_account(
        customer,
        extension="11",
        name="Biuro",
        call_waiting=False,
        fwd_no_answer_kind=choices.ForwardKind.EXTENSION,
        fwd_no_answer_sip=ten,
        fwd_busy_kind=choices.ForwardKind.EXTERNAL,
        fwd_busy_external=mobile,
        fwd_unavailable_kind=choices.ForwardKind.VOICEMAIL,
        max_rate=Decimal("5.00"),
    )
    queue = factories.queue(customer, name="Obsługa", number="1000", timeout_action="extension", timeout_sip=ten)
    factories.queue_agent(queue, sip=eleven, is_dynamic=True, logged_in_at=timezone.now())
    factories.queue_agent(queue, external=mobile, position=1)
    factories.queue_agent(queue, sip=ten, position=0)
    scheme = factories.scheme(customer, name="Infolinia")
    did.route_kind, did.route_scheme = choices.RouteKind.SCHEME, scheme
    did.save()
    # Another customer's objects with the same numbers must stay out.
    factories.sip_account(other_customer, extension="12", name="Obcy")
    factories.phone_number(other_customer, number="+48221112233")
    factories.queue(other_customer, name="Obca", number="2000")
    return {"did": did, "ten": ten, "eleven": eleven, "mobile": mobile, "queue": queue, "scheme": scheme}


def test_only_the_customers_own_objects(customer, setup):
    config = load_config(customer=customer)
    assert sorted(ext.number for ext in config.extensions.values()) == ["10", "11"]
    assert [did.number for did in config.phone_numbers.values()] == ["+48943401128"]
    assert [queue.number for queue in config.queues.values()] == ["1000"]
    assert list(config.schemes) == [setup["scheme"].pk]


def test_extension_settings(customer, setup):
    config = load_config(customer=customer)
    ten = config.extensions[setup["ten"].pk]
    assert ten.caller_id == "+48943401128"
    assert ten.internal_substitute == "100"
    assert (ten.international, ten.max_rate, ten.outgoing_pin, ten.voicemail_pin) == (
        "deny",
        Decimal("0.20"),
        "4321",
        "1111",
    )
    eleven = config.extensions[setup["eleven"].pk]
    assert eleven.max_rate is None  # the global maximum applies
    assert eleven.caller_id is None  # withheld
    assert (eleven.forward_no_answer.kind, eleven.forward_no_answer.extension) == ("extension", "10")
    assert (eleven.forward_busy.kind, eleven.forward_busy.external) == ("external", setup["mobile"].pk)
    assert eleven.forward_unavailable.kind == "voicemail"
    assert config.global_max_rate == Decimal("1.00")


def test_queue_agents_static_in_order_then_logged_in(customer, setup):
    queue = load_config(customer=customer).queues[setup["queue"].pk]
    assert [(agent.kind, agent.target, agent.dynamic) for agent in queue.agents] == [
        ("extension", setup["ten"].pk, False),
        ("external", setup["mobile"].pk, False),
        ("extension", setup["eleven"].pk, True),
    ]
    assert (queue.timeout_action, queue.timeout_extension) == ("extension", setup["ten"].pk)


def test_routes_and_rates_from_the_customers_tariff(customer, setup):
    config = load_config(customer=customer)
    assert config.phone_numbers[setup["did"].pk].route_target == setup["scheme"].pk
    assert config.rates.lookup("+48600100200").price_per_minute == Decimal("0.11")
    billing_factories.tariff(name="Specjalna", customer=customer, rates=[("+48", "Polska", "0.01")])
    assert load_config(customer=customer).rates.lookup("+48600100200").price_per_minute == Decimal("0.01")


def test_the_snapshot_drives_the_engine(customer, setup):
    config = load_config(customer=customer)
    refused = route(config, DialledCall(extension="10", dialled="+49301234567", at=WEDNESDAY))
    assert refused.final.code == "out.international_denied"
    short = route(config, DialledCall(extension="11", dialled="*022#", at=WEDNESDAY))
    assert short.answered_by.number == "+48600700800"
    busy = route(config, DialledCall(extension="10", dialled="11", at=WEDNESDAY), ScriptedAnswers({"ext.11": "busy"}))
    assert busy.answered_by.number == "+48600700800"
    # Active presentation, but an internal call came to no DID: the caller's own number presentation is shown.
    assert busy.shown_number == "+48943401128"
    back_to_the_caller = route(
        config, DialledCall(extension="10", dialled="11", at=WEDNESDAY), ScriptedAnswers({"ext.11": "no_answer"})
    )
    assert "ext.is_caller" in [step.code for step in back_to_the_caller.steps]
    empty_scheme = route(config, IncomingCall(did="+48943401128", at=WEDNESDAY, caller=""))
    assert empty_scheme.final.code == "scheme.hangup"
