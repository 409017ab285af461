"""Test builders of the callback app: authorized numbers and their callback orders."""

from __future__ import annotations

import itertools

from callback.models import AuthorizedNumber, CallbackOrder
from pbx.models import PhoneNumber
from pbx.tests import factories as pbx_factories

_sequence = itertools.count(1)


def authorized_number(
    customer, *, number: str | None = None, presentation: PhoneNumber | None = None, **fields
) -> AuthorizedNumber:
    """A number allowed to order callbacks (a new one unless given; numbers are unique across customers).

    Its calls present `presentation`, a new public number of the customer unless given.
    """
    fields.setdefault("description", "Jan Kowalski")
    return AuthorizedNumber.objects.create(
        customer=customer,
        number=number or f"+48602{next(_sequence):06d}",
        presentation=presentation or pbx_factories.phone_number(customer),
        **fields,
    )


def callback_order(authorized: AuthorizedNumber, *, target: str = "+48111222333", **fields) -> CallbackOrder:
    """An order by SMS from `authorized` to call `target`, as just received unless `status` says otherwise."""
    return CallbackOrder.objects.create(
        customer=authorized.customer, authorized_number=authorized, target=target, **fields
    )
