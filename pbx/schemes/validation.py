"""Server-side checks of a call-flow scheme's graph (see pbx.schemes.spec) before it is saved.

The editor runs in the customer's browser, so whatever it posts is only a
proposal: this module decides whether a graph may be stored and what exactly
is stored (`clean_graph` keeps only the keys of the spec, in their types).
The rules, in the words the customer sees on the canvas:

- every element has a known type and a config of the right shape;
- every exit leads to an element ("hang up" is an explicit "Rozłącz" element,
  never an unconnected exit), and the start element exists;
- every element is reachable from the start;
- no loop without an IVR menu in it (a call would go round forever);
- every object an element names (extension, external number, queue, recording,
  conference room) is the customer's own (`check_ownership`, given the ids of
  the customer's objects in `OwnedObjects`).

Problems are collected per element id (plus a few about the graph as a whole)
so the editor can mark the offending elements. Plain Python: the only Django
import is lazy gettext for the messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pbx.schemes.spec import DIGITS, NODE_TYPES, exit_names

SYSTEM_AUDIO = "system"
NODE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}\Z")
ANNOUNCEMENT_PATH_PATTERN = re.compile(r"^announcements/[A-Za-z0-9_.-]{1,64}/[0-9a-f]{32}\.mp3\Z")
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\Z")
END_OF_DAY = "24:00"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_NODES = 200
MAX_LABEL_LENGTH = 100
MAX_TEXT_LENGTH = 500
MAX_HOLIDAYS = 400
MAX_INTERVALS_PER_DAY = 6
MAX_COORDINATE = 100_000
RING_SECONDS = (5, 300)
IVR_TIMEOUT_SECONDS = (1, 60)
IVR_MAX_ATTEMPTS = (1, 5)
DEFAULTS = {"ring_seconds": 30, "timeout_seconds": 10, "max_attempts": 3}

TYPE_LABELS = {
    "announcement": _("Announcement"),
    "ivr": _("IVR menu"),
    "time_condition": _("Time condition"),
    "queue": _("Queue"),
    "extension": _("Extension"),
    "external": _("External number"),
    "voicemail": _("Voicemail"),
    "conference": _("Teleconference"),
    "hangup": _("Hang up"),
}
EXIT_LABELS = {
    "next": pgettext_lazy("scheme exit", "next"),
    "timeout": pgettext_lazy("scheme exit", "no choice"),
    "invalid": pgettext_lazy("scheme exit", "wrong choice"),
    "matched": pgettext_lazy("scheme exit", "within hours"),
    "unmatched": pgettext_lazy("scheme exit", "outside hours"),
    "no_answer": pgettext_lazy("scheme exit", "no answer"),
    "busy": pgettext_lazy("scheme exit", "busy"),
    "unavailable": pgettext_lazy("scheme exit", "unavailable"),
    "failed": pgettext_lazy("scheme exit", "call failed"),
}
# Exits whose meaning depends on the element they leave.
TYPE_EXIT_LABELS = {("queue", "timeout"): pgettext_lazy("scheme exit", "wait exceeded")}
WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}

MESSAGES = {
    # The graph as a whole
    "not_object": _("The scheme could not be read: it is not a set of elements."),
    "no_nodes": _("The scheme has no elements."),
    "too_many": _("A scheme can have at most %(limit)s elements."),
    "no_start": _("Mark one element as the start (“Start”): calls enter the scheme there."),
    # One element
    "bad_node_id": _("This element has an invalid identifier."),
    "bad_node": _("This element could not be read."),
    "bad_type": _("Unknown element type."),
    "bad_label": _("The label must be text of at most %(limit)s characters."),
    "bad_config": _("The settings of this element could not be read."),
    "exit_unconnected": _(
        "The exit “%(exit)s” is not connected: drag an arrow from it to the next element "
        "(to end the call there, connect it to a “Hang up” element)."
    ),
    "exit_missing_target": _("The exit “%(exit)s” leads to an element that does not exist: connect it again."),
    "unreachable": _(
        "No call can reach this element: connect an arrow to it from an element after the start, or delete it."
    ),
    "loop_without_ivr": _(
        "This element is in a loop without an IVR menu: a call would go round forever. "
        "Put an IVR menu into the loop or end it with a “Hang up” element."
    ),
    # Settings
    "bad_audio": _("Choose the system announcement or one of your uploaded recordings."),
    "text_required": _("Enter the text of the system announcement."),
    "text_too_long": _("The text can have at most %(limit)s characters."),
    "ivr_no_options": _("Choose at least one key the caller can press."),
    "ivr_bad_option": _("The caller can press only the keys 0–9, * and #."),
    "ivr_duplicate_option": _("Each key can be chosen only once."),
    "number_range": _("“%(setting)s” must be a whole number from %(min)s to %(max)s."),
    "bad_hours": _("The opening hours could not be read."),
    "bad_interval": _("%(day)s: enter the hours as from–to, e.g. 08:00–16:00."),
    "interval_order": _("%(day)s: the end (%(end)s) must be later than the start (%(start)s)."),
    "interval_overlap": _("%(day)s: the opening hours overlap."),
    "too_many_intervals": _("%(day)s: at most %(limit)s periods per day."),
    "bad_holidays": _("The holidays must be a list of dates."),
    "bad_holiday": _("“%(value)s” is not a date (use YYYY-MM-DD)."),
    "too_many_holidays": _("At most %(limit)s holiday dates."),
    "bad_flag": _("“%(setting)s” must be yes or no."),
    "queue_required": _("Choose the queue."),
    "extension_required": _("Choose the extension."),
    "external_required": _("Choose the external number."),
    "voicemail_required": _("Choose whose voicemail box takes the message."),
    "room_required": _("Choose the teleconference room."),
    # Ownership
    "not_your_extension": _("This extension is not on your account. Choose one of yours."),
    "voicemail_off": _("Extension %(extension)s has voicemail turned off. Turn it on in the extension's settings."),
    "not_your_external": _("This external number is not on your account. Choose one of yours."),
    "not_your_queue": _("This queue is not on your account. Choose one of yours."),
    "not_your_recording": _("This recording is not on your account. Upload it again."),
    "no_rooms": _("You have no teleconference rooms yet: create one first or delete this element."),
    "not_your_room": _("This teleconference room is not on your account. Choose one of yours."),
}
SETTING_LABELS = {
    "ring_seconds": _("Ring time (s)"),
    "timeout_seconds": _("Wait for a key (s)"),
    "max_attempts": _("Attempts"),
    "use_public_holidays": _("Polish public holidays"),
}


def type_label(node_type: str) -> str:
    return str(TYPE_LABELS.get(node_type, node_type))


def exit_label(node_type: str, name: str) -> str:
    """The exit's name for people, e.g. "brak odpowiedzi", or "klawisz 1" for an IVR option."""
    if name in DIGITS:
        return str(pgettext_lazy("scheme exit", "key %(digit)s") % {"digit": name})
    return str(TYPE_EXIT_LABELS.get((node_type, name)) or EXIT_LABELS.get(name, name))


@dataclass(frozen=True)
class Problem:
    """One broken rule: a code from MESSAGES with its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % {key: str(value) for key, value in self.params.items()} if self.params else text


@dataclass
class Report:
    """The problems found in a graph: about the whole graph, and per element id."""

    graph: list[Problem] = field(default_factory=list)
    nodes: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.graph and not self.nodes

    def add(self, node_id: str | None, code: str, **params) -> None:
        problem = Problem(code, params)
        if node_id is None:
            self.graph.append(problem)
        else:
            self.nodes.setdefault(node_id, []).append(problem)

    def codes(self, node_id: str | None = None) -> list[str]:
        problems = self.graph if node_id is None else self.nodes.get(node_id, [])
        return [problem.code for problem in problems]

    def as_messages(self) -> dict:
        """{"graph": [message, ...], "nodes": {id: [message, ...]}} for the editor."""
        return {
            "graph": [problem.message for problem in self.graph],
            "nodes": {node_id: [problem.message for problem in problems] for node_id, problems in self.nodes.items()},
        }


@dataclass(frozen=True)
class OwnedObjects:
    """Ids of the customer's own objects that elements may name (read once per save)."""

    sip_accounts: frozenset[int] = frozenset()
    voicemail_accounts: frozenset[int] = frozenset()  # those of sip_accounts with voicemail turned on
    external_numbers: frozenset[int] = frozenset()
    queues: frozenset[int] = frozenset()
    rooms: frozenset[int] = frozenset()
    announcements: frozenset[str] = frozenset()  # storage paths of the customer's uploaded recordings
    extension_numbers: dict[int, str] = field(default_factory=dict)  # sip account id -> extension, for messages


def _whole_number(value: Any) -> int | None:
    """An int from JSON (or a string of digits from a form field); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def _object_id(value: Any) -> int | None:
    number = _whole_number(value)
    return number if number is not None and number > 0 else None


class _ConfigCleaner:
    """Cleans one element's config into the spec's keys and types, reporting problems on the element."""

    def __init__(self, report: Report, node_id: str, config: dict) -> None:
        self.report = report
        self.node_id = node_id
        self.config = config

    def problem(self, code: str, **params) -> None:
        self.report.add(self.node_id, code, **params)

    def number(self, key: str, bounds: tuple[int, int]) -> int | None:
        raw = self.config.get(key, DEFAULTS.get(key))
        value = _whole_number(raw)
        low, high = bounds
        if value is None or not low <= value <= high:
            self.problem("number_range", setting=SETTING_LABELS[key], min=low, max=high)
            return None
        return value

    def object_ref(self, key: str, missing_code: str) -> int | None:
        value = _object_id(self.config.get(key))
        if value is None:
            self.problem(missing_code)
        return value

    def audio(self, key: str) -> str | None:
        value = self.config.get(key, SYSTEM_AUDIO)
        if value == SYSTEM_AUDIO or (isinstance(value, str) and ANNOUNCEMENT_PATH_PATTERN.match(value)):
            return value
        self.problem("bad_audio")
        return None

    def text(self, key: str, *, required: bool) -> str:
        value = self.config.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value.strip()) > MAX_TEXT_LENGTH:
            self.problem("text_too_long", limit=MAX_TEXT_LENGTH)
            return ""
        value = value.strip()
        if required and not value:
            self.problem("text_required")
        return value

    def flag(self, key: str) -> bool:
        value = self.config.get(key, False)
        if not isinstance(value, bool):
            self.problem("bad_flag", setting=SETTING_LABELS[key])
            return False
        return value

    # One method per element type, named after it.

    def announcement(self) -> dict:
        greeting = self.audio("greeting")
        return {"greeting": greeting, "text": self.text("text", required=greeting == SYSTEM_AUDIO)}

    def ivr(self) -> dict:
        return {
            "prompt": self.audio("prompt"),
            "options": self.ivr_options(),
            "timeout_seconds": self.number("timeout_seconds", IVR_TIMEOUT_SECONDS),
            "max_attempts": self.number("max_attempts", IVR_MAX_ATTEMPTS),
        }

    def ivr_options(self) -> list[str]:
        raw = self.config.get("options", [])
        if not isinstance(raw, list) or not all(isinstance(option, str) for option in raw):
            self.problem("ivr_bad_option")
            return []
        if any(option not in DIGITS for option in raw):
            self.problem("ivr_bad_option")
        elif len(set(raw)) != len(raw):
            self.problem("ivr_duplicate_option")
        elif not raw:
            self.problem("ivr_no_options")
        return [digit for digit in DIGITS if digit in raw]

    def time_condition(self) -> dict:
        return {
            "hours": self.hours(),
            "holidays": self.holidays(),
            "use_public_holidays": self.flag("use_public_holidays"),
        }

    def hours(self) -> dict[str, list[list[str]]]:
        raw = self.config.get("hours", {})
        cleaned: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
        if not isinstance(raw, dict):
            self.problem("bad_hours")
            return cleaned
        for day in WEEKDAYS:
            intervals = raw.get(day) or []
            day_label = WEEKDAY_LABELS[day]
            if not isinstance(intervals, list):
                self.problem("bad_interval", day=day_label)
                continue
            if len(intervals) > MAX_INTERVALS_PER_DAY:
                self.problem("too_many_intervals", day=day_label, limit=MAX_INTERVALS_PER_DAY)
                continue
            day_ok = True
            for interval in intervals:
                if not (
                    isinstance(interval, list | tuple)
                    and len(interval) == 2
                    and all(isinstance(part, str) for part in interval)
                    and TIME_PATTERN.match(interval[0])
                    and (TIME_PATTERN.match(interval[1]) or interval[1] == END_OF_DAY)
                ):
                    self.problem("bad_interval", day=day_label)
                    day_ok = False
                    continue
                start, end = interval
                if end <= start:
                    self.problem("interval_order", day=day_label, start=start, end=end)
                    day_ok = False
                    continue
                cleaned[day].append([start, end])
            cleaned[day].sort()
            if day_ok and any(cleaned[day][i][1] > cleaned[day][i + 1][0] for i in range(len(cleaned[day]) - 1)):
                self.problem("interval_overlap", day=day_label)
        return cleaned

    def holidays(self) -> list[str]:
        raw = self.config.get("holidays", [])
        if not isinstance(raw, list):
            self.problem("bad_holidays")
            return []
        if len(raw) > MAX_HOLIDAYS:
            self.problem("too_many_holidays", limit=MAX_HOLIDAYS)
            return []
        days: set[str] = set()
        for value in raw:
            try:
                if not isinstance(value, str) or len(value) != 10:
                    raise ValueError(value)
                days.add(date.fromisoformat(value).isoformat())
            except ValueError:
                self.problem("bad_holiday", value=str(value)[:20])
        return sorted(days)

    def queue(self) -> dict:
        return {"queue": self.object_ref("queue", "queue_required")}

    def extension(self) -> dict:
        return {
            "sip_account": self.object_ref("sip_account", "extension_required"),
            "ring_seconds": self.number("ring_seconds", RING_SECONDS),
        }

    def external(self) -> dict:
        return {
            "external_number": self.object_ref("external_number", "external_required"),
            "ring_seconds": self.number("ring_seconds", RING_SECONDS),
        }

    def voicemail(self) -> dict:
        return {"sip_account": self.object_ref("sip_account", "voicemail_required")}

    def conference(self) -> dict:
        return {"room": self.object_ref("room", "room_required")}

    def hangup(self) -> dict:
        return {}


def _position(raw: Any) -> dict[str, int]:
    """Canvas coordinates (editor only): a bad value is not worth refusing the scheme over."""
    result = {"x": 0, "y": 0}
    if isinstance(raw, dict):
        for axis in ("x", "y"):
            value = raw.get(axis)
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                result[axis] = max(-MAX_COORDINATE, min(MAX_COORDINATE, round(value)))
    return result


def _clean_node(node_id: str, raw: Any, report: Report) -> dict | None:
    if not NODE_ID_PATTERN.match(node_id):
        report.add(node_id, "bad_node_id")
        return None
    if not isinstance(raw, dict):
        report.add(node_id, "bad_node")
        return None
    node_type = raw.get("type")
    if node_type not in NODE_TYPES:
        report.add(node_id, "bad_type")
        return None
    label = raw.get("label", "")
    if label is None:
        label = ""
    if not isinstance(label, str) or len(label.strip()) > MAX_LABEL_LENGTH:
        report.add(node_id, "bad_label", limit=MAX_LABEL_LENGTH)
        label = ""
    config = raw.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, dict):
        report.add(node_id, "bad_config")
        config = {}
    exits = raw.get("exits", {})
    if not isinstance(exits, dict):
        exits = {}
    return {
        "type": node_type,
        "label": label.strip(),
        "config": getattr(_ConfigCleaner(report, node_id, config), node_type)(),
        "exits": exits,  # checked once every node is known
        "position": _position(raw.get("position")),
    }


def clean_graph(raw: Any) -> tuple[dict | None, Report]:
    """The graph in the spec's shape (only its keys, in their types) and the problems found on the way.

    Checks the structure, each element's settings and its exits; the flow rules
    (reachability, loops) are in `check_flow`, ownership in `check_ownership`.
    """
    report = Report()
    if not isinstance(raw, dict):
        report.add(None, "not_object")
        return None, report
    raw_nodes = raw.get("nodes")
    if not isinstance(raw_nodes, dict):
        report.add(None, "not_object")
        return None, report
    if not raw_nodes:
        report.add(None, "no_nodes")
        return None, report
    if len(raw_nodes) > MAX_NODES:
        report.add(None, "too_many", limit=MAX_NODES)
        return None, report
    nodes: dict[str, dict] = {}
    for node_id, raw_node in raw_nodes.items():
        node = _clean_node(node_id, raw_node, report)
        if node is not None:
            nodes[node_id] = node
    for node_id, node in nodes.items():
        raw_exits = node["exits"]
        exits: dict[str, str | None] = {}
        for name in exit_names(node):
            target = raw_exits.get(name)
            if target is None:
                report.add(node_id, "exit_unconnected", exit=exit_label(node["type"], name))
            elif not isinstance(target, str) or target not in raw_nodes:
                report.add(node_id, "exit_missing_target", exit=exit_label(node["type"], name))
                target = None
            exits[name] = target
        node["exits"] = exits
    start = raw.get("start")
    if not isinstance(start, str) or start not in raw_nodes:
        report.add(None, "no_start")
        start = None
    return {"start": start, "nodes": nodes}, report


def _successors(graph: dict) -> dict[str, list[str]]:
    nodes = graph["nodes"]
    return {
        node_id: [target for target in node["exits"].values() if target in nodes] for node_id, node in nodes.items()
    }


def reachable_from(graph: dict, start: str) -> set[str]:
    successors = _successors(graph)
    seen = {start}
    stack = [start]
    while stack:
        for target in successors.get(stack.pop(), []):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def loops_without_caller_input(graph: dict) -> list[set[str]]:
    """Groups of elements that a call can circle through forever without the caller choosing anything.

    The strongly connected components (Tarjan, iteratively) of the graph
    without the elements that wait for the caller: any component with more
    than one element, or one element leading to itself, is such a loop.
    """
    nodes = graph["nodes"]
    allowed = {node_id for node_id, node in nodes.items() if not NODE_TYPES[node["type"]].asks_caller}
    successors = {
        node_id: [target for target in targets if target in allowed]
        for node_id, targets in _successors(graph).items()
        if node_id in allowed
    }
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    loops: list[set[str]] = []
    counter = 0
    for root in sorted(allowed):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node_id, child = work.pop()
            if child == 0:
                index[node_id] = lowlink[node_id] = counter
                counter += 1
                stack.append(node_id)
                on_stack.add(node_id)
            targets = successors[node_id]
            if child < len(targets):
                work.append((node_id, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    lowlink[node_id] = min(lowlink[node_id], index[target])
                continue
            if lowlink[node_id] == index[node_id]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node_id:
                        break
                if len(component) > 1 or node_id in successors[node_id]:
                    loops.append(component)
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node_id])
    return loops


def check_flow(graph: dict, report: Report) -> None:
    """Every element reachable from the start; no loop without an IVR menu in it."""
    if graph["start"] is not None:
        reachable = reachable_from(graph, graph["start"])
        for node_id in graph["nodes"]:
            if node_id not in reachable:
                report.add(node_id, "unreachable")
    for loop in loops_without_caller_input(graph):
        for node_id in sorted(loop):
            report.add(node_id, "loop_without_ivr")


def _check_audio(report: Report, node_id: str, value: str | None, owned: OwnedObjects) -> None:
    if value is not None and value != SYSTEM_AUDIO and value not in owned.announcements:
        report.add(node_id, "not_your_recording")


def check_ownership(graph: dict, owned: OwnedObjects, report: Report) -> None:
    """Every object an element names must be one of the customer's (a forged id is refused on its element)."""
    for node_id, node in graph["nodes"].items():
        config = node["config"]
        node_type = node["type"]
        if node_type == "announcement":
            _check_audio(report, node_id, config["greeting"], owned)
        elif node_type == "ivr":
            _check_audio(report, node_id, config["prompt"], owned)
        elif node_type == "extension" and config["sip_account"] is not None:
            if config["sip_account"] not in owned.sip_accounts:
                report.add(node_id, "not_your_extension")
        elif node_type == "voicemail" and config["sip_account"] is not None:
            account = config["sip_account"]
            if account not in owned.sip_accounts:
                report.add(node_id, "not_your_extension")
            elif account not in owned.voicemail_accounts:
                report.add(node_id, "voicemail_off", extension=owned.extension_numbers.get(account, account))
        elif node_type == "external" and config["external_number"] is not None:
            if config["external_number"] not in owned.external_numbers:
                report.add(node_id, "not_your_external")
        elif node_type == "queue" and config["queue"] is not None:
            if config["queue"] not in owned.queues:
                report.add(node_id, "not_your_queue")
        elif node_type == "conference":
            if not owned.rooms:
                report.add(node_id, "no_rooms")
            elif config["room"] is not None and config["room"] not in owned.rooms:
                report.add(node_id, "not_your_room")


def validate_graph(raw: Any, owned: OwnedObjects) -> tuple[dict | None, Report]:
    """All the rules at once: the cleaned graph to store, and the report (store only when `report.ok`)."""
    graph, report = clean_graph(raw)
    if graph is None:
        return None, report
    check_flow(graph, report)
    check_ownership(graph, owned, report)
    return graph, report


def referenced_ids(graph: dict, node_types: Iterable[str], key: str) -> list[tuple[str, int]]:
    """(element id, object id) of every element of the given types naming an object under `key`."""
    types = set(node_types)
    found = []
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if not isinstance(nodes, dict):
        return found
    for node_id, node in nodes.items():
        if isinstance(node, dict) and node.get("type") in types and isinstance(node.get("config"), dict):
            value = _object_id(node["config"].get(key))
            if value is not None:
                found.append((node_id, value))
    return found
