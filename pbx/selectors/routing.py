"""One customer's PBX configuration read from the database into the engine's plain frozen data.

Everything is read through `for_customer`, so a snapshot never holds another
customer's objects, and the engine that runs on it cannot route a call there.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from billing.selectors import prefix_table, tariff_for_customer
from panel.models import Customer
from pbx import choices, constants, registry
from pbx.models import ExternalNumber, PhoneNumber, Queue, QueueAgent, Scheme, SipAccount
from pbx.routing import model


def _forward(account: SipAccount, condition: str, extension_numbers: dict[int, str]) -> model.Forward:
    kind = getattr(account, f"fwd_{condition}_kind")
    if kind == choices.ForwardKind.EXTENSION:
        return model.Forward(kind, extension=extension_numbers.get(getattr(account, f"fwd_{condition}_sip_id")))
    if kind == choices.ForwardKind.EXTERNAL:
        return model.Forward(kind, external=getattr(account, f"fwd_{condition}_external_id"))
    if kind == choices.ForwardKind.VOICEMAIL:
        return model.Forward(kind)
    return model.Forward()


def _extensions(customer: Customer) -> dict[int, model.Extension]:
    accounts = list(SipAccount.objects.for_customer(customer).select_related("caller_id"))
    numbers = {account.pk: account.extension for account in accounts}
    return {
        account.pk: model.Extension(
            id=account.pk,
            number=account.extension,
            name=account.name,
            active=account.is_active,
            ring_time=account.ring_time,
            call_waiting=account.call_waiting,
            voicemail_enabled=account.voicemail_enabled,
            voicemail_pin=account.voicemail_pin,
            voicemail_on_no_answer=account.voicemail_on_no_answer,
            voicemail_on_busy=account.voicemail_on_busy,
            forward_no_answer=_forward(account, "no_answer", numbers),
            forward_busy=_forward(account, "busy", numbers),
            forward_unavailable=_forward(account, "unavailable", numbers),
            return_after=account.return_after,
            return_action=account.return_action,
            caller_id=account.caller_id.number if account.caller_id_id else None,
            internal_substitute=(
                account.internal_substitute
                if account.internal_presentation == choices.InternalPresentation.SUBSTITUTE
                else ""
            ),
            international=account.international,
            max_rate=account.max_rate if account.max_rate_mode == choices.MaxRateMode.OWN else None,
            outgoing_pin=account.outgoing_pin,
        )
        for account in accounts
    }


def _queues(customer: Customer) -> dict[int, model.Queue]:
    agents: dict[int, list[QueueAgent]] = {}
    for agent in QueueAgent.objects.for_customer(customer).order_by("is_dynamic", "position", "logged_in_at", "pk"):
        agents.setdefault(agent.queue_id, []).append(agent)
    return {
        queue.pk: model.Queue(
            id=queue.pk,
            name=queue.name,
            number=queue.number,
            strategy=queue.strategy,
            agent_ring_time=queue.agent_ring_time,
            max_wait=queue.max_wait,
            timeout_action=queue.timeout_action,
            timeout_extension=queue.timeout_sip_id,
            greeting=queue.greeting,
            announce_position=queue.announce_position,
            agents=tuple(
                model.QueueAgent(
                    kind="extension" if agent.sip_id else "external",
                    target=agent.sip_id or agent.external_id,
                    dynamic=agent.is_dynamic,
                )
                for agent in agents.get(queue.pk, ())
            ),
        )
        for queue in Queue.objects.for_customer(customer)
    }


def _route_target(number: PhoneNumber) -> int | None:
    return {
        choices.RouteKind.EXTENSION: number.route_sip_id,
        choices.RouteKind.EXTERNAL: number.route_external_id,
        choices.RouteKind.QUEUE: number.route_queue_id,
        choices.RouteKind.SCHEME: number.route_scheme_id,
        choices.RouteKind.CONFERENCE: number.route_conference_id,
    }.get(number.route_kind)


def _registered_parts(customer: Customer) -> dict[str, Any]:
    """The fields of the snapshot that other apps fill in (pbx.registry.routing_parts), e.g. the rooms."""
    fields: dict[str, Any] = {}
    for part in registry.routing_parts:
        added = part(customer=customer)
        if fields.keys() & added.keys():
            raise ImproperlyConfigured(f"Two routing parts fill in {sorted(fields.keys() & added.keys())}.")
        fields.update(added)
    return fields


def load_config(*, customer: Customer) -> model.RoutingConfig:
    """The routing configuration of `customer`: only its own objects, its tariff and the global limits.

    The rooms, the authorized numbers and the dial-in service number come from the apps that own them.
    """
    tariff = tariff_for_customer(customer=customer)
    return model.RoutingConfig(
        extensions=_extensions(customer),
        external_numbers={
            external.pk: model.ExternalNumber(
                id=external.pk,
                number=external.number,
                description=external.description,
                dtmf=external.dtmf,
                short_code=external.short_code,
                presentation=external.presentation,
                sms_on_forward=external.sms_on_forward,
            )
            for external in ExternalNumber.objects.for_customer(customer)
        },
        phone_numbers={
            number.pk: model.PhoneNumber(
                id=number.pk,
                number=number.number,
                description=number.description,
                clip_prefix=number.clip_prefix,
                route_kind=number.route_kind,
                route_target=_route_target(number),
            )
            for number in PhoneNumber.objects.for_customer(customer)
        },
        queues=_queues(customer),
        schemes={
            scheme.pk: model.Scheme(id=scheme.pk, name=scheme.name, graph=copy.deepcopy(scheme.graph))
            for scheme in Scheme.objects.for_customer(customer)
        },
        rates=prefix_table(tariff=tariff) if tariff is not None else None,
        global_max_rate=constants.GLOBAL_MAX_RATE,
        **_registered_parts(customer),
    )
