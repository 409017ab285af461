"""What the apps built on billing plug into it: billing reads these hooks, pbx and recordings fill them in.

billing sits just above panel (STYLE.md, "Layers"): pbx and recordings
import billing, never the other way round. Where billing's pages show their
objects, billing reads the plain structures below, which those apps fill in
their `AppConfig.ready()` through the `register_*` functions (the way
pbx/registry.py and NetBox's netbox/registry.py work):

    # recordings/apps.py, in RecordingsConfig.ready(), with billing.registry imported as billing_registry:
    billing_registry.register_call_recordings(
        billing_registry.CallRecordings(exists=selectors.call_recording_exists, of_calls=selectors.call_recordings)
    )

Every hook that reads takes the customer as a keyword argument and reads
that customer's objects only:

    extensions         register_extensions(numbers): numbers(customer=) -> the customer's extension
                       numbers in order, which the call history's extension filter suggests (pbx)
    call_recordings    register_call_recordings(CallRecordings(exists, of_calls)): how the call history
                       finds the recordings of its calls (recordings); see CallRecordings
    services_sections  register_services_section(ServicesSection(template_name, context)): a block the
                       "Services / Offer" page shows below the services table (recordings' FTP access)

Without a hook billing works on its own: no suggested extensions; no
recordings (the "only with a recording" filter finds nothing, the export
has no recording column); no extra blocks on the services page.

Registering the same hook again (ready() may run more than once) changes
nothing; another one where only one fits is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression

if TYPE_CHECKING:
    from panel.models import Customer


@dataclass(frozen=True)
class CallRecordings:
    """How the call history finds the recording of a call (customer and call id name a recording)."""

    # exists() -> a correlated EXISTS: the outer call record (OuterRef "customer" and "call_id") has a recording.
    exists: Callable[[], Expression]
    # of_calls(customer=, call_ids=) -> (call_id, recording pk, started_at) of the customer's recordings of these
    # calls, ordered by call id, then oldest first.
    of_calls: Callable[..., Iterable[tuple[str, int, datetime]]]


@dataclass(frozen=True)
class ServicesSection:
    """A block of another app on the "Services / Offer" page: its template, rendered with `context(customer=)`."""

    template_name: str
    context: Callable[..., dict[str, Any]]


extensions: list[Callable[..., Iterable[str]]] = []  # at most one
call_recordings: list[CallRecordings] = []  # at most one
services_sections: list[ServicesSection] = []  # in the order shown


def _add_only(hooks: list, hook: Any, what: str) -> None:
    if hooks and hooks[0] != hook:
        raise ImproperlyConfigured(f"{what} are registered in the billing registry already: {hooks[0]!r}")
    if not hooks:
        hooks.append(hook)


def register_extensions(numbers: Callable[..., Iterable[str]]) -> None:
    """Name the extension numbers the call history's filter suggests: `numbers(customer=)` -> the numbers."""
    _add_only(extensions, numbers, "The extensions")


def register_call_recordings(recordings: CallRecordings) -> None:
    """Let the call history show, filter and export the recordings of its calls."""
    _add_only(call_recordings, recordings, "The call recordings")


def register_services_section(section: ServicesSection) -> None:
    """Show another app's block on the "Services / Offer" page, below the services table."""
    if section not in services_sections:
        services_sections.append(section)


def extension_numbers(*, customer: Customer) -> list[str]:
    """The customer's extension numbers for the call history's filter; none without the hook."""
    return [number for hook in extensions for number in hook(customer=customer)]
