"""Reads of SIP accounts, always scoped to one customer."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices
from pbx.models import PhoneNumber, Queue, QueueAgent, SipAccount
from pbx.selectors.schemes import schemes_naming

FORWARD_CONDITIONS = [condition.value for condition in choices.ForwardCondition]
SORTS = {
    "extension": (Length("extension").asc(), "extension"),
    "-extension": (Length("extension").desc(), "-extension"),
    "name": ("name", Length("extension").asc(), "extension"),
    "-name": ("-name", Length("extension").asc(), "extension"),
}
DEFAULT_SORT = "extension"


def sip_account_list(*, customer: Customer, query: str = "", sort: str = DEFAULT_SORT) -> QuerySet[SipAccount]:
    """The customer's accounts, searched by extension or name, sorted numerically by extension or by name."""
    queryset = SipAccount.objects.for_customer(customer).select_related(
        "customer",
        "caller_id",
        *(f"fwd_{condition}_sip" for condition in FORWARD_CONDITIONS),
        *(f"fwd_{condition}_external" for condition in FORWARD_CONDITIONS),
    )
    query = query.strip()
    if query:
        queryset = queryset.filter(Q(extension__icontains=query) | Q(name__icontains=query))
    return queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def sip_account_get(*, customer: Customer, pk: int) -> SipAccount:
    """One of the customer's accounts; another customer's id raises DoesNotExist like a missing one."""
    return SipAccount.objects.for_customer(customer).get(pk=pk)


def last_added_extension(*, customer: Customer) -> str | None:
    """The extension of the account the customer created most recently (shown on the create form)."""
    latest = SipAccount.objects.for_customer(customer).order_by("-created_at", "-pk").first()
    return latest.extension if latest else None


def forwarding_graph(*, customer: Customer) -> dict[int, list[int]]:
    """Every extension-to-extension forward of the customer, by account id."""
    graph: dict[int, list[int]] = {}
    fields = ["pk"]
    for condition in FORWARD_CONDITIONS:
        fields += [f"fwd_{condition}_kind", f"fwd_{condition}_sip"]
    for row in SipAccount.objects.for_customer(customer).values(*fields):
        graph[row["pk"]] = [
            row[f"fwd_{condition}_sip"]
            for condition in FORWARD_CONDITIONS
            if row[f"fwd_{condition}_kind"] == choices.ForwardKind.EXTENSION and row[f"fwd_{condition}_sip"]
        ]
    return graph


def forwarding_summary(account: SipAccount) -> str:
    """The account's forwards in one line, e.g. "Brak odpowiedzi → 11, Zajęty → poczta głosowa"."""
    parts = []
    for condition in choices.ForwardCondition:
        kind, target = account.forward_target(condition.value)
        if kind == choices.ForwardKind.EXTENSION and target is not None:
            shown = target.extension
        elif kind == choices.ForwardKind.EXTERNAL and target is not None:
            shown = target.number
        elif kind == choices.ForwardKind.VOICEMAIL:
            shown = _("voicemail")
        else:
            continue
        parts.append(f"{condition.label} → {shown}")
    return ", ".join(parts)


def sip_account_usages(*, customer: Customer, account: SipAccount) -> list[str]:
    """Where the account is in use (so it cannot be deleted yet), described for people."""
    usages = []
    for condition in choices.ForwardCondition:
        users = (
            SipAccount.objects.for_customer(customer)
            .filter(
                **{f"fwd_{condition.value}_kind": choices.ForwardKind.EXTENSION, f"fwd_{condition.value}_sip": account}
            )
            .exclude(pk=account.pk)
            .order_by(Length("extension"), "extension")
        )
        for other in users:
            usages.append(
                _("Forward target of extension %(extension)s (%(condition)s)")
                % {"extension": str(other), "condition": condition.label}
            )
    numbers = PhoneNumber.objects.for_customer(customer).filter(
        route_kind=choices.RouteKind.EXTENSION, route_sip=account
    )
    for number in numbers.order_by("number"):
        usages.append(_("“Forward to” of phone number %(number)s") % {"number": number.number})
    agents = QueueAgent.objects.for_customer(customer).filter(sip=account, is_dynamic=False).select_related("queue")
    for agent in agents.order_by("queue__name"):
        usages.append(_("Queue %(queue)s: agent") % {"queue": agent.queue})
    for queue in Queue.objects.for_customer(customer).filter(timeout_sip=account).order_by("name"):
        usages.append(_("Queue %(queue)s: gets the call when the wait is exceeded") % {"queue": queue})
    usages += sip_account_scheme_usages(customer=customer, account=account)
    return usages


def sip_account_scheme_usages(*, customer: Customer, account: SipAccount) -> list[str]:
    """The call-flow schemes with an element that rings the extension or takes messages to its voicemail."""
    schemes = schemes_naming(
        customer=customer, node_types=("extension", "voicemail"), key="sip_account", object_id=account.pk
    )
    return [_("Call-flow scheme %(scheme)s: an element uses this extension") % {"scheme": scheme} for scheme in schemes]
