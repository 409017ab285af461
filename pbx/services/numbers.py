"""Writes of the customer's phone numbers (DIDs): their description, CLIP prefix and where calls go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from panel.models import Customer
from pbx import choices
from pbx.models import ExternalNumber, PhoneNumber, Queue, Scheme, SipAccount

ROUTE_FIELDS = {
    choices.RouteKind.EXTENSION: "route_sip",
    choices.RouteKind.EXTERNAL: "route_external",
    choices.RouteKind.QUEUE: "route_queue",
    choices.RouteKind.SCHEME: "route_scheme",
    choices.RouteKind.CONFERENCE: "route_conference",
}
SAVED_FIELDS = ["description", "clip_prefix", "route_kind", *ROUTE_FIELDS.values()]


@dataclass(frozen=True)
class NumberSettings:
    """What the customer may change on one of its numbers; `target` is None for "do not forward"."""

    phone_number_id: int
    description: str
    clip_prefix: str
    route_kind: str
    target: SipAccount | ExternalNumber | Queue | Scheme | Model | None = None  # Model: a target another app registers


def _check_target(*, customer: Customer, settings: NumberSettings) -> None:
    if settings.route_kind == choices.RouteKind.NONE:
        if settings.target is not None:
            raise ValueError("a number that is not forwarded has no target")
        return
    field = ROUTE_FIELDS.get(settings.route_kind)
    model = PhoneNumber._meta.get_field(field).related_model if field else None
    if model is None or not isinstance(settings.target, model) or settings.target.customer_id != customer.pk:
        raise ValueError(f"target of number {settings.phone_number_id} is not the customer's {settings.route_kind}")


def _snapshot(number: PhoneNumber) -> tuple:
    return (
        number.description,
        number.clip_prefix,
        number.route_kind,
        number.route_sip_id,
        number.route_external_id,
        number.route_queue_id,
        number.route_scheme_id,
        number.route_conference_id,
    )


@transaction.atomic
def phone_numbers_update(*, customer: Customer, rows: Iterable[NumberSettings]) -> int:
    """Save the settings of several of the customer's numbers at once: all of them or, on any error, none.

    Rows naming a number or a target of another customer raise before anything is written.
    Returns how many numbers changed.
    """
    rows = list(rows)
    numbers = (
        PhoneNumber.objects.for_customer(customer).select_for_update().in_bulk([row.phone_number_id for row in rows])
    )
    changed: list[PhoneNumber] = []
    for row in rows:
        number = numbers.get(row.phone_number_id)
        if number is None:
            raise PhoneNumber.DoesNotExist(f"phone number {row.phone_number_id} is not the customer's")
        _check_target(customer=customer, settings=row)
        before = _snapshot(number)
        number.description = row.description
        number.clip_prefix = row.clip_prefix
        number.route_kind = row.route_kind
        for kind, field in ROUTE_FIELDS.items():
            setattr(number, field, row.target if kind == row.route_kind else None)
        if _snapshot(number) != before:
            number.clean_fields(exclude=["customer", "number", *ROUTE_FIELDS.values()])
            changed.append(number)
    if changed:
        PhoneNumber.objects.bulk_update(changed, SAVED_FIELDS)
    return len(changed)
