"""The panel's top menu, defined once: the layout, the dashboard and the tests read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: Promise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavGroup:
    label: Promise
    entries: tuple[NavEntry, ...]


NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(
        _("Virtual PBX"),
        (
            NavEntry(_("SIP accounts (internal)"), "pbx:sip_accounts"),
            NavEntry(_("My external numbers"), "pbx:external_numbers"),
            NavEntry(_("Phone numbers"), "pbx:phone_numbers"),
            NavEntry(_("Queues"), "pbx:queues"),
            NavEntry(_("My PBX schemes"), "pbx:schemes"),
            NavEntry(_("Teleconferences"), "conferences:rooms"),
            NavEntry(_("Queue statistics"), "queue_stats:index"),
        ),
    ),
    NavGroup(
        _("Account and finance"),
        (
            NavEntry(_("Services / Offer"), "billing:services"),
            NavEntry(_("Balance and operations"), "billing:ledger"),
            NavEntry(_("Call history (billing)"), "billing:call_history"),
            NavEntry(_("Call recordings"), "recordings:list"),
            NavEntry(_("Recording push to your server"), "recordings:push"),
            NavEntry(_("Users"), "panel:users"),
            NavEntry(_("API keys"), "panel:api_tokens"),
            NavEntry(_("Change password"), "password_change"),
        ),
    ),
    NavGroup(
        _("PBX PRO"),
        (
            NavEntry(_("Order a call by SMS / dial-in"), "callback:authorized_numbers"),
            NavEntry(_("Call monitoring"), "pbx:monitoring"),
            NavEntry(_("Call tracer"), "pbx:tracer"),
        ),
    ),
)


def all_entries() -> list[NavEntry]:
    return [entry for group in NAVIGATION for entry in group.entries]


def entry_for(view_name: str | None) -> NavEntry | None:
    return next((entry for entry in all_entries() if entry.url_name == view_name), None)
