"""Small builders of routing configurations and scheme graphs for tests and benchmarks. Plain Python."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from billing.rating import PrefixTable, Rate
from pbx.routing.model import (
    ConferenceRoom,
    Extension,
    ExternalNumber,
    PhoneNumber,
    Queue,
    RoutingConfig,
    Scheme,
)

DID = "+48943401128"
CALLER = "+48600100200"

_MOBILE_PREFIXES = ("45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")

# The default tariff as the billing migration seeds it.
STANDARD_RATES = PrefixTable(
    [
        Rate("+48", "Polska Stacjonarne", Decimal("0.05")),
        *(Rate(f"+48{prefix}", "Polska Komórka", Decimal("0.11")) for prefix in _MOBILE_PREFIXES),
        Rate("+49", "Niemcy", Decimal("0.09")),
        Rate("+44", "Wielka Brytania", Decimal("0.09")),
        Rate("+380", "Ukraina", Decimal("0.39")),
        Rate("+1", "USA i Kanada", Decimal("0.09")),
        Rate("+", "Reszta świata", Decimal("1.99")),
    ]
)


def make_config(
    *,
    extensions: Iterable[Extension] = (),
    external_numbers: Iterable[ExternalNumber] = (),
    phone_numbers: Iterable[PhoneNumber] = (),
    queues: Iterable[Queue] = (),
    schemes: Iterable[Scheme] = (),
    rooms: Iterable[ConferenceRoom] = (),
    rates: PrefixTable | None = STANDARD_RATES,
    **options,
) -> RoutingConfig:
    return RoutingConfig(
        extensions={item.id: item for item in extensions},
        external_numbers={item.id: item for item in external_numbers},
        phone_numbers={item.id: item for item in phone_numbers},
        queues={item.id: item for item in queues},
        schemes={item.id: item for item in schemes},
        conference_rooms={item.id: item for item in rooms},
        rates=rates,
        **options,
    )


def node(kind: str, exits: dict | None = None, label: str = "", **config) -> dict:
    return {"type": kind, "label": label, "config": config, "exits": exits or {}, "position": {"x": 0, "y": 0}}


def graph(start: str, **nodes: dict) -> dict:
    return {"start": start, "nodes": nodes}


def chain_scheme(length: int, *, extension_id: int = 1, scheme_id: int = 1) -> Scheme:
    """A scheme of `length` elements (at least 3) that a call can walk through end to end.

    Announcements, always-open time conditions, one-key IVR menus and
    extensions (whose every exit goes on) lead to a voicemail box; one hang-up
    element takes the unmatched, timeout and invalid exits.
    """
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    nodes: dict[str, dict] = {}
    last = length - 2
    nodes[f"n{last}"] = node("voicemail", label="Poczta", sip_account=extension_id)
    hangup = "hangup"
    nodes[hangup] = node("hangup", label="Koniec")
    for index in range(last - 1, -1, -1):
        name, following = f"n{index}", f"n{index + 1}"
        kind = index % 4
        if kind == 0:
            nodes[name] = node("announcement", {"next": following}, f"Zapowiedź {index}", greeting="system")
        elif kind == 1:
            nodes[name] = node(
                "time_condition",
                {"matched": following, "unmatched": hangup},
                f"Godziny {index}",
                hours=always,
                holidays=[],
                use_public_holidays=False,
            )
        elif kind == 2:
            nodes[name] = node(
                "ivr",
                {"1": following, "timeout": hangup, "invalid": hangup},
                f"Menu {index}",
                options=["1"],
                timeout_seconds=5,
                max_attempts=1,
            )
        else:
            nodes[name] = node(
                "extension",
                {"no_answer": following, "busy": following, "unavailable": following},
                f"Numer {index}",
                sip_account=extension_id,
                ring_seconds=10,
            )
    return Scheme(scheme_id, "Łańcuch", graph("n0", **nodes))
