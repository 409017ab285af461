"""Writes of call-flow schemes ("Moje centralki"): create, rename, save the graph, bind numbers, delete, recordings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices, constants
from pbx.audio import MESSAGES as AUDIO_MESSAGES
from pbx.audio import AudioRejected, normalise_audio
from pbx.models import PhoneNumber, Scheme
from pbx.schemes.validation import Report, validate_graph
from pbx.selectors.schemes import announcement_path, owned_objects, scheme_name_taken

ANNOUNCEMENT_MAX_BYTES = constants.GREETING_MAX_BYTES
ANNOUNCEMENT_MAX_SECONDS = constants.GREETING_MAX_SECONDS
ROUTE_FIELDS = ("route_sip", "route_external", "route_queue", "route_scheme", "route_conference")


class SchemeInvalid(Exception):
    """The posted graph broke the rules of pbx.schemes.validation; `report` says where (nothing was saved)."""

    def __init__(self, report: Report) -> None:
        super().__init__("the scheme's graph is invalid")
        self.report = report


class SchemeInUse(Exception):
    """Phone numbers still send their calls to the scheme; `numbers` lists them."""

    def __init__(self, numbers: list[str]) -> None:
        super().__init__(", ".join(numbers))
        self.numbers = numbers


def _locked(*, customer: Customer, scheme: Scheme) -> Scheme:
    """The scheme reloaded through its customer and locked (another customer's scheme raises DoesNotExist)."""
    return Scheme.objects.for_customer(customer).select_for_update().get(pk=scheme.pk)


def _check_name(*, customer: Customer, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the scheme's name.")}, code="required")
    if scheme_name_taken(customer=customer, name=name, exclude_pk=exclude_pk):
        raise ValidationError(
            {"name": _("You already have a scheme named %(name)s. Choose another name.") % {"name": name}},
            code="unique",
        )
    return name


@transaction.atomic
def scheme_create(*, customer: Customer, name: str) -> Scheme:
    """A new scheme with the spec's starting graph (a single "hang up" start element) for the customer."""
    name = _check_name(customer=customer, name=name)
    return Scheme.objects.create(customer=customer, name=name)


@transaction.atomic
def scheme_rename(*, customer: Customer, scheme: Scheme, name: str) -> Scheme:
    """Give the customer's scheme another name (unique within the customer)."""
    locked = _locked(customer=customer, scheme=scheme)
    locked.name = _check_name(customer=customer, name=name, exclude_pk=locked.pk)
    locked.save(update_fields=["name", "updated_at"])
    return locked


@transaction.atomic
def scheme_save_graph(*, customer: Customer, scheme: Scheme, graph: object) -> Scheme:
    """Store the graph the editor posted, but only if every rule holds; else raise `SchemeInvalid`, storing nothing.

    What is stored is the validator's cleaned copy in the spec's format (never
    the editor's own data), so the routing engine reads only what it knows.
    """
    locked = _locked(customer=customer, scheme=scheme)
    cleaned, report = validate_graph(graph, owned_objects(customer=customer))
    if not report.ok or cleaned is None:
        raise SchemeInvalid(report)
    locked.graph = cleaned
    locked.save(update_fields=["graph", "updated_at"])
    return locked


@transaction.atomic
def scheme_bind_numbers(*, customer: Customer, scheme: Scheme, numbers: Iterable[PhoneNumber]) -> tuple[int, int]:
    """Route exactly the given numbers of the customer to the scheme ("powiąż numer").

    The chosen numbers are forwarded to the scheme (whatever they were
    forwarded to before); numbers that went to this scheme and are no longer
    chosen are left unforwarded. A number of another customer raises
    DoesNotExist before anything changes. Returns (bound, unbound) counts.
    """
    locked = _locked(customer=customer, scheme=scheme)
    wanted = {number.pk for number in numbers}
    own = PhoneNumber.objects.for_customer(customer).select_for_update()
    chosen = list(own.filter(pk__in=wanted))
    if len(chosen) != len(wanted):
        raise PhoneNumber.DoesNotExist("a chosen number is not the customer's")
    bound = 0
    for number in chosen:
        if number.route_kind == choices.RouteKind.SCHEME and number.route_scheme_id == locked.pk:
            continue
        number.route_kind = choices.RouteKind.SCHEME
        for name in ROUTE_FIELDS:
            setattr(number, name, None)
        number.route_scheme = locked
        bound += 1
    PhoneNumber.objects.bulk_update(chosen, ["route_kind", *ROUTE_FIELDS])
    unbound = (
        own.filter(route_kind=choices.RouteKind.SCHEME, route_scheme=locked)
        .exclude(pk__in=wanted)
        .update(route_kind=choices.RouteKind.NONE, route_scheme=None)
    )
    return bound, unbound


@transaction.atomic
def scheme_delete(*, customer: Customer, scheme: Scheme) -> None:
    """Delete the scheme unless a phone number still sends its calls there (then `SchemeInUse`)."""
    locked = _locked(customer=customer, scheme=scheme)
    numbers = PhoneNumber.objects.for_customer(customer).filter(route_scheme=locked)
    bound = list(
        numbers.filter(route_kind=choices.RouteKind.SCHEME).order_by("number").values_list("number", flat=True)
    )
    if bound:
        raise SchemeInUse(bound)
    # A number forwarded elsewhere may still remember this scheme; that link routes nothing.
    numbers.update(route_scheme=None)
    locked.delete()


def announcement_upload(*, customer: Customer, upload) -> str:
    """Check and re-encode an uploaded recording for announcements and IVR prompts, and store it.

    Accepted like voicemail greetings (WAV or MP3, at most 10 MB and 5
    minutes, re-encoded to the PBX's MP3); a refused file raises a translated
    ValidationError and nothing is stored. Returns the storage path
    ("announcements/<prefix>/<uuid>.mp3") that an element's config names.
    """
    try:
        audio = normalise_audio(upload, max_bytes=ANNOUNCEMENT_MAX_BYTES, max_seconds=ANNOUNCEMENT_MAX_SECONDS)
    except AudioRejected as rejected:
        raise ValidationError(AUDIO_MESSAGES[rejected.code], code=rejected.code, params=rejected.params) from rejected
    path = announcement_path(customer, uuid.uuid4().hex)
    return default_storage.save(path, ContentFile(audio.content))
