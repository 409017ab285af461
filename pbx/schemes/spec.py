"""The saved form of a call-flow scheme ("Moje centralki"): plain data shared by the editor, validator and engine.

A scheme's graph is JSON:

    {
      "start": "n1",                         # id of the element a call enters first
      "nodes": {
        "n1": {
          "type": "announcement",            # one of NODE_TYPES
          "label": "Powitanie",              # free text shown on the canvas
          "config": {...},                   # per type, keys in NODE_TYPES[type].config
          "exits": {"next": "n2"},           # exit name -> node id, or None (= not connected)
          "position": {"x": 120, "y": 80}    # canvas coordinates (editor only)
        },
        ...
      }
    }

An exit that should end the call must point at a "hangup" node: `None` is
"not connected yet" and the validator refuses it. Object references in
`config` are ids of the customer's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")


@dataclass(frozen=True)
class NodeType:
    name: str
    fixed_exits: tuple[str, ...]
    config: dict[str, str] = field(default_factory=dict)  # key -> description
    digit_exits: bool = False  # IVR: one exit per configured digit option, named by the digit
    asks_caller: bool = False  # waits for caller input, so a loop through it is allowed
    terminal: bool = False


NODE_TYPES: dict[str, NodeType] = {
    node.name: node
    for node in (
        NodeType(
            "announcement",
            ("next",),
            {"greeting": "'system' or an uploaded file's storage path", "text": "what the announcement says"},
        ),
        NodeType(
            "ivr",
            ("timeout", "invalid"),
            {
                "prompt": "storage path of the prompt or 'system'",
                "options": "list of digits in DIGITS",
                "timeout_seconds": "int 1-60",
                "max_attempts": "int 1-5",
            },
            digit_exits=True,
            asks_caller=True,
        ),
        NodeType(
            "time_condition",
            ("matched", "unmatched"),
            {
                "hours": "{'mon': [['08:00', '16:00']], ... 'sun': []} in Europe/Warsaw time",
                "holidays": "list of 'YYYY-MM-DD' dates that count as unmatched all day",
                "use_public_holidays": "bool: also treat Polish public holidays as unmatched",
            },
        ),
        NodeType("queue", ("timeout",), {"queue": "id of pbx.Queue"}),
        NodeType(
            "extension",
            ("no_answer", "busy", "unavailable"),
            {"sip_account": "id of pbx.SipAccount", "ring_seconds": "int 5-300"},
        ),
        NodeType(
            "external",
            ("no_answer", "failed"),
            {"external_number": "id of pbx.ExternalNumber", "ring_seconds": "int 5-300"},
        ),
        NodeType(
            "voicemail",
            (),
            {"sip_account": "id of pbx.SipAccount whose voicemail box takes the message"},
            terminal=True,
        ),
        NodeType("conference", (), {"room": "id of conferences.ConferenceRoom"}, terminal=True),
        NodeType("hangup", (), {}, terminal=True),
    )
}


def exit_names(node: dict) -> list[str]:
    """The exits a node must have connected, given its type and (for an IVR) its digit options."""
    node_type = NODE_TYPES[node["type"]]
    names = list(node_type.fixed_exits)
    if node_type.digit_exits:
        names = [digit for digit in DIGITS if digit in node.get("config", {}).get("options", [])] + names
    return names


def empty_graph() -> dict:
    return {
        "start": "start",
        "nodes": {"start": {"type": "hangup", "label": "", "config": {}, "exits": {}, "position": {"x": 80, "y": 80}}},
    }
