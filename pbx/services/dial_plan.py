"""The dial-plan rule: a number may be taken only once in a customer's PBX.

Extensions, queues with their *1/*2 codes, external-number short codes,
teleconference rooms and *98 share one dial plan (`pbx.selectors.dial_plan`).
Whatever takes numbers in it checks them here before it saves: the SIP
account service, `Queue.clean()`, the external-number form and the
conferences app's room service. Each words the refusal for its own field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from panel.models import Customer
from pbx.selectors.dial_plan import dial_plan


@dataclass(frozen=True)
class DialPlanCollision:
    """A code an object wants that something else already uses, and a description of that something."""

    code: str
    used_by: str


def dial_plan_collision(
    *, customer: Customer, codes: Iterable[str], owned: Iterable[str | None] = ()
) -> DialPlanCollision | None:
    """The first of `codes` that is taken in the customer's dial plan; None when all of them are free.

    `codes` are every code the object would take (a queue's number and its log-in and log-out codes, a short
    code with and without its #). `owned` are the codes the object being edited takes now: keeping them is
    not a collision with itself.
    """
    owned = set(owned)
    plan = dial_plan(customer=customer)
    for code in codes:
        used_by = None if code in owned else plan.get(code)
        if used_by:
            return DialPlanCollision(code=code, used_by=used_by)
    return None
