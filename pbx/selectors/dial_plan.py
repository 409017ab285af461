"""The customer's dial plan: every number and code a caller can dial inside its PBX, and what uses it.

Extensions, queue numbers and their log-in/log-out codes, voicemail access,
external-number short codes and the numbers other apps take (teleconference
rooms, through `pbx.registry.dial_plan`) share one dial plan;
`pbx.services.dial_plan.dial_plan_collision` keeps a new number from
colliding with any of them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import constants, registry
from pbx.models import ExternalNumber, Queue, SipAccount
from pbx.models.queues import queue_codes


def dial_plan(*, customer: Customer) -> dict[str, str]:
    """Every dialable code of the customer's PBX mapped to a description of what uses it."""
    taken: dict[str, str] = {constants.VOICEMAIL_ACCESS_CODE: _("voicemail access")}
    for extension, name in SipAccount.objects.for_customer(customer).values_list("extension", "name"):
        taken[extension] = _("extension %(number)s %(name)s") % {"number": extension, "name": name}
    for number, name in Queue.objects.for_customer(customer).values_list("number", "name"):
        login, logout = queue_codes(number)
        taken[number] = _("queue %(name)s") % {"name": name}
        taken[login] = _("log-in code of queue %(name)s") % {"name": name}
        taken[logout] = _("log-out code of queue %(name)s") % {"name": name}
    for code, number in (
        ExternalNumber.objects.for_customer(customer).exclude(short_code="").values_list("short_code", "number")
    ):
        taken[code] = _("short code of external number %(number)s") % {"number": number}
    for codes in registry.dial_plan:
        taken.update(codes(customer=customer))
    return taken
