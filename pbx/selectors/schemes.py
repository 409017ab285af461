"""Reads of call-flow schemes ("Moje centralki") and of what their elements may name, scoped to one customer."""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices, registry
from pbx.models import ExternalNumber, PhoneNumber, Queue, Scheme, SipAccount
from pbx.numbering import format_number
from pbx.schemes.spec import NODE_TYPES, exit_names
from pbx.schemes.validation import (
    SYSTEM_AUDIO,
    WEEKDAY_LABELS,
    WEEKDAYS,
    OwnedObjects,
    exit_label,
    referenced_ids,
    type_label,
)

logger = logging.getLogger(__name__)

ANNOUNCEMENTS_DIR = "announcements"
ANNOUNCEMENT_FILE = re.compile(r"^([0-9a-f]{32})\.mp3\Z")


def scheme_list(*, customer: Customer, query: str = "") -> QuerySet[Scheme]:
    """The customer's schemes with the numbers bound to them (`bound_numbers`), searched by name or number."""
    bound = PhoneNumber.objects.filter(route_kind=choices.RouteKind.SCHEME).order_by("number")
    queryset = Scheme.objects.for_customer(customer).prefetch_related(
        Prefetch("phone_numbers", queryset=bound, to_attr="bound_numbers")
    )
    query = query.strip()
    if query:
        condition = Q(name__icontains=query)
        digits = re.sub(r"[\s\-./()]", "", query)
        if digits:
            condition |= Q(phone_numbers__route_kind=choices.RouteKind.SCHEME, phone_numbers__number__icontains=digits)
        queryset = queryset.filter(condition).distinct()
    return queryset.order_by("name", "pk")


def scheme_bound_numbers(*, customer: Customer, scheme: Scheme) -> QuerySet[PhoneNumber]:
    """The customer's phone numbers whose calls go to the scheme."""
    return (
        PhoneNumber.objects.for_customer(customer)
        .filter(route_kind=choices.RouteKind.SCHEME, route_scheme=scheme)
        .order_by("number")
    )


def scheme_name_taken(*, customer: Customer, name: str, exclude_pk: int | None = None) -> bool:
    queryset = Scheme.objects.for_customer(customer).filter(name__iexact=name.strip())
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def element_count(scheme: Scheme) -> int:
    nodes = scheme.graph.get("nodes") if isinstance(scheme.graph, dict) else None
    return len(nodes) if isinstance(nodes, dict) else 0


# Recordings uploaded for announcements and IVR prompts


def announcement_dir(customer: Customer) -> str:
    return f"{ANNOUNCEMENTS_DIR}/{customer.prefix}"


def announcement_path(customer: Customer, file_id: str) -> str:
    return f"{announcement_dir(customer)}/{file_id}.mp3"


@dataclass(frozen=True)
class Announcement:
    """A recording the customer uploaded for the schemes' announcements: where it is stored and when."""

    file_id: str
    path: str
    uploaded_at: datetime | None = None


def announcement_list(*, customer: Customer) -> list[Announcement]:
    """The customer's uploaded recordings (files under announcements/<prefix>/), newest first."""
    directory = announcement_dir(customer)
    try:
        _dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError:
        logger.warning("cannot list the announcements of %s", customer.prefix, exc_info=True)
        return []
    found = []
    for name in files:
        match = ANNOUNCEMENT_FILE.match(name)
        if not match:
            continue
        path = f"{directory}/{name}"
        try:
            uploaded_at = default_storage.get_modified_time(path)
        except (OSError, NotImplementedError):
            uploaded_at = None
        found.append(Announcement(file_id=match.group(1), path=path, uploaded_at=uploaded_at))
    found.sort(key=lambda item: (item.uploaded_at is not None, item.uploaded_at or 0, item.file_id), reverse=True)
    return found


def announcement_exists(*, customer: Customer, file_id: str) -> bool:
    if not re.fullmatch(r"[0-9a-f]{32}", file_id or ""):
        return False
    try:
        return default_storage.exists(announcement_path(customer, file_id))
    except OSError:
        return False


# What the elements of a scheme may name


def _extension_label(account: SipAccount) -> str:
    username = f"{account.customer.prefix}_{account.extension}"
    return f"{account.extension} – {account.name} ({username})" if account.name else f"{account.extension} ({username})"


def _external_label(external: ExternalNumber) -> str:
    number = format_number(external.number)
    return f"{number} – {external.description}" if external.description else number


def _sip_accounts(customer: Customer) -> list[SipAccount]:
    return sorted(
        SipAccount.objects.for_customer(customer).select_related("customer"),
        key=lambda account: (len(account.extension), account.extension),
    )


def _registered_choices(customer: Customer, node_type: str) -> list[tuple[int, str]]:
    """(id, label) of what another app lets elements of `node_type` name (pbx.registry.scheme_objects)."""
    choices_of = registry.scheme_objects.get(node_type)
    return [(obj.pk, label) for obj, label in choices_of(customer=customer)] if choices_of else []


def owned_objects(*, customer: Customer) -> OwnedObjects:
    """Ids of everything of the customer an element may name, for `pbx.schemes.validation.check_ownership`."""
    accounts = list(SipAccount.objects.for_customer(customer).values_list("pk", "extension", "voicemail_enabled"))
    return OwnedObjects(
        sip_accounts=frozenset(pk for pk, _extension, _voicemail in accounts),
        voicemail_accounts=frozenset(pk for pk, _extension, voicemail in accounts if voicemail),
        external_numbers=frozenset(ExternalNumber.objects.for_customer(customer).values_list("pk", flat=True)),
        queues=frozenset(Queue.objects.for_customer(customer).values_list("pk", flat=True)),
        rooms=frozenset(pk for pk, _label in _registered_choices(customer, "conference")),
        announcements=frozenset(item.path for item in announcement_list(customer=customer)),
        extension_numbers={pk: extension for pk, extension, _voicemail in accounts},
    )


@dataclass
class EditorObjects:
    """The customer's own objects the editor's side form offers, as plain data for the page's JSON."""

    extensions: list[dict] = field(default_factory=list)
    external_numbers: list[dict] = field(default_factory=list)
    queues: list[dict] = field(default_factory=list)
    rooms: list[dict] = field(default_factory=list)
    announcements: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "extensions": self.extensions,
            "external_numbers": self.external_numbers,
            "queues": self.queues,
            "rooms": self.rooms,
            "announcements": self.announcements,
        }

    def names(self) -> dict[str, dict]:
        """Labels by id, per kind of object (for describing elements in words)."""
        return {
            "extensions": {item["id"]: item["label"] for item in self.extensions},
            "external_numbers": {item["id"]: item["label"] for item in self.external_numbers},
            "queues": {item["id"]: item["label"] for item in self.queues},
            "rooms": {item["id"]: item["label"] for item in self.rooms},
            "announcements": {item["path"]: item["label"] for item in self.announcements},
        }


def editor_objects(*, customer: Customer, scheme: Scheme) -> EditorObjects:
    """Everything of the customer the elements of `scheme` may name (never another customer's objects)."""
    announcements = []
    for number, item in enumerate(reversed(announcement_list(customer=customer)), start=1):
        shown = (
            timezone.localtime(item.uploaded_at).strftime("%Y-%m-%d %H:%M")
            if item.uploaded_at is not None and timezone.is_aware(item.uploaded_at)
            else item.file_id[:8]
        )
        announcements.append(
            {
                "path": item.path,
                "label": _("Recording %(number)s (%(uploaded)s)") % {"number": number, "uploaded": shown},
                "url": reverse("pbx:scheme_announcement_audio", kwargs={"pk": scheme.pk, "file_id": item.file_id}),
            }
        )
    announcements.reverse()
    return EditorObjects(
        extensions=[
            {"id": account.pk, "label": _extension_label(account), "voicemail": account.voicemail_enabled}
            for account in _sip_accounts(customer)
        ],
        external_numbers=[
            {"id": external.pk, "label": _external_label(external)}
            for external in ExternalNumber.objects.for_customer(customer).order_by("number")
        ],
        queues=[
            {"id": queue.pk, "label": f"{queue.name} ({queue.number})"}
            for queue in Queue.objects.for_customer(customer).order_by("name")
        ],
        rooms=[{"id": pk, "label": label} for pk, label in _registered_choices(customer, "conference")],
        announcements=announcements,
    )


# The scheme in words (the editor page without JavaScript)


@dataclass(frozen=True)
class ElementExit:
    label: str
    target: str | None  # the next element's description, None when not connected


@dataclass(frozen=True)
class ElementSummary:
    node_id: str
    type_label: str
    label: str
    details: list[str]
    exits: list[ElementExit]
    is_start: bool


def _node_title(node: dict) -> str:
    label = node.get("label") or ""
    kind = type_label(node.get("type", ""))
    return f"{kind}: {label}" if label else kind


def _details(node: dict, names: dict[str, dict]) -> list[str]:
    config = node.get("config") or {}
    node_type = node.get("type")
    missing = _("(not chosen)")
    if node_type in ("announcement", "ivr"):
        audio = config.get("greeting" if node_type == "announcement" else "prompt", SYSTEM_AUDIO)
        shown = _("system announcement") if audio == SYSTEM_AUDIO else names["announcements"].get(audio, missing)
        details = [_("Plays: %(audio)s") % {"audio": shown}]
        if config.get("text"):
            details.append(f"„{config['text']}”")
        if node_type == "ivr":
            details.append(
                _("Keys: %(keys)s; waits %(seconds)s s, %(attempts)s attempts")
                % {
                    "keys": ", ".join(config.get("options") or []) or "—",
                    "seconds": config.get("timeout_seconds"),
                    "attempts": config.get("max_attempts"),
                }
            )
        return details
    if node_type == "time_condition":
        hours = config.get("hours") or {}
        parts = []
        for day in WEEKDAYS:
            intervals = hours.get(day) or []
            shown = ", ".join(f"{start}–{end}" for start, end in intervals) if intervals else _("closed")
            parts.append(f"{WEEKDAY_LABELS[day]}: {shown}")
        details = ["; ".join(parts)]
        holidays = config.get("holidays") or []
        if holidays:
            details.append(_("Holidays: %(count)s dates") % {"count": len(holidays)})
        if config.get("use_public_holidays"):
            details.append(_("Polish public holidays count as outside hours."))
        return details
    if node_type == "queue":
        return [names["queues"].get(config.get("queue"), missing)]
    if node_type == "extension":
        return [
            names["extensions"].get(config.get("sip_account"), missing),
            _("rings %(seconds)s s") % {"seconds": config.get("ring_seconds")},
        ]
    if node_type == "external":
        return [
            names["external_numbers"].get(config.get("external_number"), missing),
            _("rings %(seconds)s s") % {"seconds": config.get("ring_seconds")},
        ]
    if node_type == "voicemail":
        return [names["extensions"].get(config.get("sip_account"), missing)]
    if node_type == "conference":
        return [names["rooms"].get(config.get("room"), missing)]
    return []


def scheme_summary(*, graph: dict, objects: EditorObjects) -> list[ElementSummary]:
    """The scheme's elements in the order a call meets them (the start first), each with its exits."""
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if not isinstance(nodes, dict):
        return []
    nodes = {
        node_id: node for node_id, node in nodes.items() if isinstance(node, dict) and node.get("type") in NODE_TYPES
    }
    start = graph.get("start")
    order: list[str] = []
    queue = deque([start] if start in nodes else [])
    seen = set(queue)
    while queue:
        node_id = queue.popleft()
        order.append(node_id)
        for target in (nodes[node_id].get("exits") or {}).values():
            if target in nodes and target not in seen:
                seen.add(target)
                queue.append(target)
    order += [node_id for node_id in nodes if node_id not in seen]
    names = objects.names()
    summaries = []
    for node_id in order:
        node = nodes[node_id]
        exits = []
        for name in exit_names(node):
            target = (node.get("exits") or {}).get(name)
            exits.append(
                ElementExit(
                    label=exit_label(node["type"], name), target=_node_title(nodes[target]) if target in nodes else None
                )
            )
        summaries.append(
            ElementSummary(
                node_id=node_id,
                type_label=type_label(node["type"]),
                label=node.get("label") or "",
                details=_details(node, names),
                exits=exits,
                is_start=node_id == start,
            )
        )
    return summaries


# Where schemes name an object (so it cannot be deleted while they do)


def schemes_naming(*, customer: Customer, node_types: tuple[str, ...], key: str, object_id: int) -> list[Scheme]:
    """The customer's schemes with an element of `node_types` whose config names `object_id` under `key`."""
    found = []
    for scheme in Scheme.objects.for_customer(customer).order_by("name"):
        if any(value == object_id for _node, value in referenced_ids(scheme.graph, node_types, key)):
            found.append(scheme)
    return found
