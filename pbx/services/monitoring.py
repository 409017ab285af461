"""Writes of call monitoring: start listening to or whispering into a live call, end it with the call, tidy up.

`monitor_start` is the one path to the PBX's monitor command, for the panel and the API alike: it checks
the service, the call, the mode and the supervisor's phone inside the customer, keeps a `MonitorSession`
row (so the page shows what is going on and what happened), then sends the command.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import rate_for_number
from panel.models import Customer, User
from panel.refusal import Refused
from pbx.models import CallEvent, ExternalNumber, LiveCall, MonitorSession, SipAccount
from pbx.models.live import LIVE_CALL_STALE_AFTER, LiveCallState, MonitorMode, MonitorStatus, MonitorTargetKind
from pbx.numbering import InvalidNumber, format_number, normalise_external_number
from pbx.selectors.monitoring import monitoring_available

logger = logging.getLogger(__name__)

# Ended calls and their events are kept this long (the monitoring history names its calls by copies).
LIVE_CALL_KEEP = timedelta(days=7)


def monitor_target_resolve(*, customer: Customer, target_kind: str, target: str) -> str:
    """The supervisor's phone as the PBX dials it (extension digits, or E.164), checked to be the customer's own.

    Raises `Refused` (INVALID, field "target") for anything else: an unknown extension, a number that
    is not on the customer's list of external numbers, or a destination missing from the tariff.
    """
    if target_kind == MonitorTargetKind.EXTENSION:
        account = SipAccount.objects.for_customer(customer).filter(extension=target.strip(), is_active=True).first()
        if account is None:
            raise Refused(
                Refused.INVALID,
                _("You have no active extension %(extension)s.") % {"extension": target},
                field="target",
            )
        return account.extension
    if target_kind == MonitorTargetKind.EXTERNAL:
        try:
            number = normalise_external_number(target)
        except InvalidNumber:
            number = ""
        if not number or not ExternalNumber.objects.for_customer(customer).filter(number=number).exists():
            raise Refused(
                Refused.INVALID,
                _("Choose one of your external numbers (Moje Numery Zewnętrzne) as the supervisor's phone."),
                field="target",
            )
        if rate_for_number(customer=customer, number=number) is None:
            raise Refused(
                Refused.INVALID,
                _("Calls to %(number)s are not in your tariff. Please contact us.") % {"number": format_number(number)},
                field="target",
            )
        return number
    raise Refused(
        Refused.INVALID,
        _("Listening in the browser needs a WebRTC phone in the panel, which is not available yet."),
        field="target_kind",
    )


def monitor_start(
    *,
    customer: Customer,
    live_call: LiveCall,
    mode: str,
    target_kind: str,
    target: str,
    user: User | None = None,
    now: datetime | None = None,
) -> MonitorSession:
    """Have the PBX call the supervisor's phone and let it listen to `live_call`, or whisper to its agent.

    Refused (`Refused`, nothing sent or stored) without the monitoring service, for a call that has
    ended, for whisper on a call without an agent's extension, and for a phone that is not the customer's.
    A PBX that cannot be reached leaves a failed session with the reason.
    """
    from pbx import commands

    now = now or timezone.now()
    if not monitoring_available(customer=customer, at=now):
        raise Refused(Refused.SERVICE_OFF, _("Switch on call monitoring in “Services / Offer” first."))
    if mode not in MonitorMode.values:
        raise Refused(Refused.INVALID, _("Choose listen or whisper."), field="mode")
    target = monitor_target_resolve(customer=customer, target_kind=target_kind, target=target)
    with transaction.atomic():
        call = LiveCall.objects.for_customer(customer).select_for_update().filter(pk=live_call.pk).first()
        if call is None or not call.is_live(now):
            raise Refused(Refused.CONFLICT, _("This call has already ended."))
        if mode == MonitorMode.WHISPER and not call.has_agent:
            raise Refused(
                Refused.INVALID,
                _(
                    "Whisper speaks to your agent (your extension on the call), and this call has none: "
                    "you can only listen to it."
                ),
                field="mode",
            )
        if target_kind == MonitorTargetKind.EXTENSION and target == call.extension:
            raise Refused(
                Refused.INVALID,
                _("Extension %(extension)s is the agent on this call: choose another phone.") % {"extension": target},
                field="target",
            )
        if call.monitor_sessions.filter(status=MonitorStatus.ACTIVE, target=target).exists():
            raise Refused(Refused.INVALID, _("This phone is already monitoring this call."), field="target")
        session = MonitorSession.objects.create(
            customer=customer,
            live_call=call,
            call_id=call.call_id,
            call_caller=call.caller,
            call_callee=call.callee,
            agent_extension=call.extension,
            mode=mode,
            target_kind=target_kind,
            target=target,
            requested_by=user,
        )
        session.monitor_call_id = f"monitor-{session.pk}"
        session.save(update_fields=["monitor_call_id"])
    try:
        result = commands.monitor(
            customer=customer,
            call_id=call.call_id,
            mode=mode,
            target=target,
            target_kind=target_kind,
            monitor_id=session.monitor_call_id,
        )
    except Exception:
        logger.exception("The monitor command for call %s failed", call.call_id)
        session.status = MonitorStatus.FAILED
        session.detail = _("The PBX did not take the command. Please try again in a moment.")
        session.ended_at = timezone.now()
        session.save(update_fields=["status", "detail", "ended_at"])
        return session
    _record_result(session, result)
    return session


def _record_result(session: MonitorSession, result) -> None:
    """Keep what the PBX said about the monitoring leg; the call may have ended meanwhile."""
    with transaction.atomic():
        current = MonitorSession.objects.select_for_update().get(pk=session.pk)
        current.monitor_call_id = result.call_id or current.monitor_call_id
        current.leg_started_at = result.started_at
        current.leg_answered_at = result.answered_at
        current.detail = result.detail[:200]
        if not result.answered:
            current.status = MonitorStatus.NOT_ANSWERED
            current.ended_at = current.ended_at or timezone.now()
        current.save()
    for field in ("monitor_call_id", "leg_started_at", "leg_answered_at", "detail", "status", "ended_at"):
        setattr(session, field, getattr(current, field))


def monitor_sessions_end(*, customer: Customer, live_call: LiveCall, at: datetime) -> int:
    """The monitored call ended, and with it every monitoring of it still going on; returns how many."""
    return (
        MonitorSession.objects.for_customer(customer)
        .filter(live_call=live_call, status=MonitorStatus.ACTIVE)
        .update(status=MonitorStatus.ENDED, ended_at=at)
    )


@transaction.atomic
def live_calls_prune(*, now: datetime | None = None) -> tuple[int, int]:
    """Close calls whose "ended" event never came, and forget ended calls and events after `LIVE_CALL_KEEP`.

    Returns (calls closed as lost, calls deleted). The monitoring history keeps its copies of the call's numbers.
    """
    now = now or timezone.now()
    stale = LiveCall.objects.exclude(state=LiveCallState.ENDED).filter(last_event_at__lte=now - LIVE_CALL_STALE_AFTER)
    stale_ids = list(stale.values_list("pk", flat=True))
    for call in LiveCall.objects.filter(pk__in=stale_ids).select_related("customer"):
        monitor_sessions_end(customer=call.customer, live_call=call, at=call.last_event_at)
    closed = LiveCall.objects.filter(pk__in=stale_ids).update(state=LiveCallState.ENDED, ended_at=F("last_event_at"))
    cutoff = now - LIVE_CALL_KEEP
    _total, deleted = LiveCall.objects.filter(state=LiveCallState.ENDED, last_event_at__lte=cutoff).delete()
    CallEvent.objects.filter(at__lte=cutoff).delete()
    return closed, deleted.get(LiveCall._meta.label, 0)
