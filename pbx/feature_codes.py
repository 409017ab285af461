"""Numbers a caller can dial inside a customer's PBX, and which of them are taken.

Extensions, queue numbers and their log-in/log-out codes, voicemail access,
external-number short codes and teleconference room numbers share one
dial plan, so a new number must not collide with any of them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import constants


def dial_plan(*, customer: Customer) -> dict[str, str]:
    """Every dialable code of the customer's PBX mapped to a description of what uses it."""
    from conferences.models import ConferenceRoom
    from pbx.models import ExternalNumber, Queue, SipAccount

    taken: dict[str, str] = {constants.VOICEMAIL_ACCESS_CODE: _("voicemail access")}
    for extension, name in SipAccount.objects.for_customer(customer).values_list("extension", "name"):
        taken[extension] = _("extension %(number)s %(name)s") % {"number": extension, "name": name}
    for number, name in Queue.objects.for_customer(customer).values_list("number", "name"):
        taken[number] = _("queue %(name)s") % {"name": name}
        taken[number + constants.QUEUE_LOGIN_SUFFIX] = _("log-in code of queue %(name)s") % {"name": name}
        taken[number + constants.QUEUE_LOGOUT_SUFFIX] = _("log-out code of queue %(name)s") % {"name": name}
    for code, number in (
        ExternalNumber.objects.for_customer(customer).exclude(short_code="").values_list("short_code", "number")
    ):
        taken[code] = _("short code of external number %(number)s") % {"number": number}
    for number, name in ConferenceRoom.objects.for_customer(customer).values_list("number", "name"):
        taken[number] = _("teleconference room %(name)s") % {"name": name}
    return taken


def collision(*, customer: Customer, code: str, ignore: set[str] | None = None) -> str | None:
    """What already uses `code` in the customer's dial plan (None when free).

    `ignore` lists codes the object being edited owns itself (e.g. its own
    current extension), so saving it unchanged is not a collision.
    """
    ignore = ignore or set()
    plan = dial_plan(customer=customer)
    return None if code in ignore else plan.get(code)
