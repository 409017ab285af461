"""What the apps built on the PBX plug into it: pbx reads these hooks, conferences and callback fill them in.

pbx is the PBX core (STYLE.md, "Layers"): conferences and callback import
pbx, never the other way round. Where the PBX has to know about their
objects, it reads the plain structures below, which those apps fill in
their `AppConfig.ready()` through the `register_*` functions (the way
NetBox's netbox/registry.py works):

    class ConferencesConfig(AppConfig):
        def ready(self):
            from conferences import selectors
            from pbx import registry

            registry.register_dial_plan(selectors.room_dial_plan)

Every hook is a callable that takes the customer as a keyword argument and
reads that customer's objects only:

    dial_plan        register_dial_plan(codes): codes(customer=) yields (code, what uses it)
                     for the numbers the app takes in the dial plan; the words name a collision
    route_targets    register_route_target(RouteTarget(kind, label, choices)): another kind of
                     target a phone number (DID) forwards its calls to, e.g. a teleconference room
    scheme_objects   register_scheme_objects(node_type, choices): choices(customer=) yields
                     (object, label) for what a scheme element of that type names ("conference")
    dial_in_callers  register_dial_in_callers(callers): callers(customer=) is the queryset of the
                     numbers (with .number and .description) allowed to call the dial-in service
                     number, which the call tracer offers (callback's authorized numbers)
    routing_parts    register_routing_part(part): part(customer=) -> {RoutingConfig field: value},
                     the app's share of the routing snapshot (pbx.selectors.routing.load_config)

Registering the same hook again (ready() may run more than once) changes
nothing; another one under a key already taken is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

DialPlanCodes = Callable[..., Iterable[tuple[str, str]]]
Choices = Callable[..., Iterable[tuple[Any, str]]]  # choices(customer=): the customer's objects with their labels


@dataclass(frozen=True)
class RouteTarget:
    """A kind of target another app lets a phone number (DID) forward its calls to.

    The phone number stores the target in its own foreign key for `kind`
    (PhoneNumber.route_conference for a room); a posted "<kind>:<id>" names
    a target only when it is one of `choices`, so another customer's id is
    refused like a missing one.
    """

    kind: str  # the pbx.choices.RouteKind value stored in PhoneNumber.route_kind
    label: str  # the group's name in the "Forward to" select
    choices: Choices  # the customer's targets with their labels, in the select's order


dial_plan: list[DialPlanCodes] = []
route_targets: dict[str, RouteTarget] = {}  # by route kind
scheme_objects: dict[str, Choices] = {}  # by scheme element type (pbx.schemes.spec.NODE_TYPES)
dial_in_callers: list[Callable[..., QuerySet]] = []  # at most one
routing_parts: list[Callable[..., dict[str, Any]]] = []


def _add(hooks: list, hook: Any) -> None:
    if hook not in hooks:
        hooks.append(hook)


def _put(hooks: dict, key: str, hook: Any) -> None:
    if hooks.setdefault(key, hook) != hook:
        raise ImproperlyConfigured(f"{key!r} is registered in the PBX registry already: {hooks[key]!r}")


def register_dial_plan(codes: DialPlanCodes) -> None:
    """Add the numbers an app takes in every customer's dial plan: `codes(customer=)` -> [(code, description)]."""
    _add(dial_plan, codes)


def register_route_target(target: RouteTarget) -> None:
    """Offer another kind of target in every phone number's "Forward to"."""
    _put(route_targets, target.kind, target)


def register_scheme_objects(node_type: str, choices: Choices) -> None:
    """Say what the scheme elements of `node_type` may name: the editor lists it and a saved graph is checked by it."""
    _put(scheme_objects, node_type, choices)


def register_dial_in_callers(callers: Callable[..., QuerySet]) -> None:
    """Name the numbers that may call the dial-in service number: `callers(customer=)` -> their queryset."""
    if dial_in_callers and dial_in_callers[0] != callers:
        raise ImproperlyConfigured(f"The dial-in callers are registered in the PBX registry already: {dial_in_callers}")
    _add(dial_in_callers, callers)


def register_routing_part(part: Callable[..., dict[str, Any]]) -> None:
    """Add an app's fields to every routing snapshot: `part(customer=)` -> {pbx.routing.RoutingConfig field: value}."""
    _add(routing_parts, part)
