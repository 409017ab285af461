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

    dial_plan    register_dial_plan(codes): codes(customer=) yields (code, what uses it) for
                 the numbers the app takes in the dial plan; the description names a collision

Registering the same hook again (ready() may run more than once) changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

DialPlanCodes = Callable[..., Iterable[tuple[str, str]]]

dial_plan: list[DialPlanCodes] = []


def _add(hooks: list, hook: Any) -> None:
    if hook not in hooks:
        hooks.append(hook)


def register_dial_plan(codes: DialPlanCodes) -> None:
    """Add the numbers an app takes in every customer's dial plan: `codes(customer=)` -> [(code, description)]."""
    _add(dial_plan, codes)
