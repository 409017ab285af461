"""Writes of the callback app: authorizing numbers, taking an order by SMS and placing the ordered call."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing.selectors import rate_for_number
from callback.choices import OrderChannel, OrderReason, OrderStatus
from callback.grammar import MalformedOrder, parse_order
from callback.models import AuthorizedNumber, CallbackOrder
from panel.models import Customer
from pbx.models import PhoneNumber
from pbx.models.sms import SmsPurpose
from pbx.numbering import InvalidNumber, format_number, is_polish, normalise_external_number
from pbx.routing.constants import GLOBAL_MAX_RATE
from pbx.routing.dialin import IvrOutcome, IvrResult, IvrStep, run_dial_in
from pbx.sms import send_sms

logger = logging.getLogger(__name__)

DEFAULT_SERVICE_NUMBER = "+48799366599"
ORDERS_PER_HOUR = 10
WRONG_PINS_BEFORE_LOCK = 5
WRONG_PIN_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
INTERNATIONAL_ALLOWED = True  # the global default of the permissions; authorized numbers have no own setting
MAX_RATE = GLOBAL_MAX_RATE
ANNOUNCEMENT = "proszę czekać na połączenie"
REPLY_LANGUAGE = "pl"


def service_number() -> str:
    """The number employees text or call to order a call (`CALLBACK_SERVICE_NUMBER`)."""
    return getattr(settings, "CALLBACK_SERVICE_NUMBER", "") or DEFAULT_SERVICE_NUMBER


def number_taken_error() -> ValidationError:
    # The same words whoever holds the number: nothing about the other customer.
    return ValidationError(
        {
            "number": _(
                "This number is already authorized to order calls, so it cannot be added. If it is your "
                "employee's number and it is not on your list, please contact us."
            )
        }
    )


@transaction.atomic
def authorized_number_create(
    *,
    customer: Customer,
    description: str,
    number: str,
    presentation: PhoneNumber,
    pin: str = "",
    send_instructions: bool = False,
) -> AuthorizedNumber:
    """Authorize an employee's number; raises ValidationError when any customer already authorized it."""
    if AuthorizedNumber.objects.filter(number=number).exists():
        raise number_taken_error()
    authorized = AuthorizedNumber(
        customer=customer, description=description, number=number, presentation=presentation, pin=pin
    )
    try:
        with transaction.atomic():
            authorized.save(force_insert=True)
    except IntegrityError as error:
        raise number_taken_error() from error
    if send_instructions:
        send_instructions_sms(authorized=authorized)
    return authorized


@transaction.atomic
def authorized_number_update(
    *, customer: Customer, authorized: AuthorizedNumber, description: str, presentation: PhoneNumber, pin: str = ""
) -> AuthorizedNumber:
    """Change the description, presentation or PIN (the number itself stays: delete and add to change it)."""
    if authorized.customer_id != customer.pk:
        raise ValidationError(_("Not found."))
    authorized.description = description
    authorized.presentation = presentation
    authorized.pin = pin
    authorized.save(update_fields=["description", "presentation", "pin"])
    return authorized


@transaction.atomic
def authorized_number_delete(*, customer: Customer, authorized: AuthorizedNumber) -> None:
    """Withdraw the authorization (its order history goes with it)."""
    if authorized.customer_id == customer.pk:
        authorized.delete()


def send_instructions_sms(*, authorized: AuthorizedNumber) -> None:
    """Text the employee how to order a call (the PIN itself is never sent)."""
    with override(REPLY_LANGUAGE):
        if authorized.pin:
            text = _(
                "You can order calls: text %(service)s with your PIN and the number, e.g. PIN 111222333, "
                "or call %(service)s."
            )
        else:
            text = _("You can order calls: text %(service)s with the number, e.g. 111222333, or call %(service)s.")
        text = text % {"service": format_number(service_number())}
    send_sms(
        customer=authorized.customer,
        sender=service_number(),
        to=authorized.number,
        text=text,
        purpose=SmsPurpose.CALLBACK,
        key=f"callback-instructions-{authorized.pk}",
    )


# ---- ordering by SMS ----


class InboundOutcome:
    IGNORED = "ignored"
    REFUSED = "refused"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class InboundResult:
    outcome: str
    order: CallbackOrder | None = None


def _reply_texts() -> dict[str, str]:
    return {
        OrderReason.WRONG_PIN: _("The call was not ordered: wrong PIN. Send: PIN NUMBER, e.g. 1111 111222333."),
        OrderReason.MALFORMED: _(
            "The call was not ordered: the message was not understood. Send the PIN (if you have one) and the "
            "number, e.g. 1111 111222333; put 00 or + in front of a number abroad."
        ),
        OrderReason.INTERNATIONAL_FORBIDDEN: _("The call was not ordered: calls abroad are not allowed."),
        OrderReason.RATE_TOO_HIGH: _(
            "The call was not ordered: the per-minute rate of this number is above the allowed maximum."
        ),
        OrderReason.UNPRICED: _("The call was not ordered: this number cannot be called."),
        OrderReason.RATE_LIMITED: _(
            "The call was not ordered: too many orders in the last hour. Please try again later."
        ),
        OrderReason.LOCKED: _("The call was not ordered: after repeated wrong PINs ordering is locked for 15 minutes."),
    }


def reply_text(reason: str) -> str:
    """The Polish reply for a refusal; never contains the PIN."""
    with override(REPLY_LANGUAGE):
        return _reply_texts()[reason]


def _reply(authorized: AuthorizedNumber, order: CallbackOrder, text: str) -> None:
    send_sms(
        customer=authorized.customer,
        sender=service_number(),
        to=authorized.number,
        text=text,
        purpose=SmsPurpose.CALLBACK,
        key=f"callback-reply-{order.pk}",
    )


def _refuse(authorized: AuthorizedNumber, reason: str, target: str = "") -> InboundResult:
    order = CallbackOrder.objects.create(
        customer=authorized.customer,
        authorized_number=authorized,
        channel=OrderChannel.SMS,
        target=target,
        status=OrderStatus.REFUSED,
        reason=reason,
    )
    _reply(authorized, order, reply_text(reason))
    return InboundResult(InboundOutcome.REFUSED, order)


def target_refusal(*, customer: Customer, target: str) -> str:
    """Why `target` may not be called by an ordered call ("" when it may): permission and max rate."""
    if not INTERNATIONAL_ALLOWED and not is_polish(target):
        return OrderReason.INTERNATIONAL_FORBIDDEN
    rate = rate_for_number(customer=customer, number=target)
    if rate is None:
        return OrderReason.UNPRICED
    if Decimal(rate.price_per_minute) > MAX_RATE:
        return OrderReason.RATE_TOO_HIGH
    return ""


@transaction.atomic
def inbound_sms(*, sender: str, text: str, now: datetime | None = None) -> InboundResult:
    """Take one SMS that arrived at the service number: order the call or reply why not.

    An unknown sender is only logged: no reply tells a stranger the service exists.
    """
    now = now or timezone.now()
    try:
        sender = normalise_external_number(sender)
    except InvalidNumber:
        logger.info("Callback SMS from an invalid sender ignored.")
        return InboundResult(InboundOutcome.IGNORED)
    authorized = (
        AuthorizedNumber.objects.select_for_update().select_related("customer", "presentation").filter(number=sender)
    ).first()
    if authorized is None or not authorized.customer.is_active:
        logger.info("Callback SMS from an unauthorized number %s ignored.", sender)
        return InboundResult(InboundOutcome.IGNORED)
    if authorized.locked_until and authorized.locked_until > now:
        return _refuse(authorized, OrderReason.LOCKED)
    recent = authorized.orders.filter(created_at__gt=now - timedelta(hours=1)).exclude(
        reason__in=[OrderReason.RATE_LIMITED, OrderReason.LOCKED]
    )
    if recent.count() >= ORDERS_PER_HOUR:
        return _refuse(authorized, OrderReason.RATE_LIMITED)
    try:
        parsed = parse_order(text, expects_pin=bool(authorized.pin))
    except MalformedOrder:
        return _refuse(authorized, OrderReason.MALFORMED)
    if authorized.pin and not hmac.compare_digest(parsed.pin.encode(), authorized.pin.encode()):
        result = _refuse(authorized, OrderReason.WRONG_PIN, parsed.target)
        wrong = authorized.orders.filter(reason=OrderReason.WRONG_PIN, created_at__gt=now - WRONG_PIN_WINDOW)
        if wrong.count() >= WRONG_PINS_BEFORE_LOCK:
            authorized.locked_until = now + LOCK_DURATION
            authorized.save(update_fields=["locked_until"])
        return result
    if reason := target_refusal(customer=authorized.customer, target=parsed.target):
        return _refuse(authorized, reason, parsed.target)
    order = CallbackOrder.objects.create(
        customer=authorized.customer, authorized_number=authorized, channel=OrderChannel.SMS, target=parsed.target
    )
    transaction.on_commit(partial(place_call, order_id=order.pk), robust=True)
    return InboundResult(InboundOutcome.ACCEPTED, order)


# ---- dial-in ----


@dataclass(frozen=True)
class DialInResult:
    ivr: IvrResult
    order: CallbackOrder | None = None
    refusal: str = ""


def _dial_in_refused(authorized: AuthorizedNumber, reason: str, target: str = "") -> CallbackOrder:
    return CallbackOrder.objects.create(
        customer=authorized.customer,
        authorized_number=authorized,
        channel=OrderChannel.DIAL_IN,
        target=target,
        status=OrderStatus.REFUSED,
        reason=reason,
    )


def dial_in(*, caller: str, entries: list[str], now: datetime | None = None) -> DialInResult:
    """A call to the service number: recognise the caller, run the IVR, check the target and connect.

    Unknown callers hear nothing and are hung up on; the same lockout and rate limit as for SMS apply.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            caller = normalise_external_number(caller)
        except InvalidNumber:
            caller = ""
        authorized = (
            AuthorizedNumber.objects.select_for_update()
            .select_related("customer", "presentation")
            .filter(number=caller, customer__is_active=True)
            .first()
            if caller
            else None
        )
        if authorized is None:
            return DialInResult(run_dial_in(recognised=False, pin="", entries=[]))
        if authorized.locked_until and authorized.locked_until > now:
            ivr = IvrResult(IvrOutcome.HANG_UP_WRONG_PIN, [IvrStep.HANG_UP])
            return DialInResult(ivr, _dial_in_refused(authorized, OrderReason.LOCKED), OrderReason.LOCKED)
        recent = authorized.orders.filter(created_at__gt=now - timedelta(hours=1)).exclude(
            reason__in=[OrderReason.RATE_LIMITED, OrderReason.LOCKED]
        )
        if recent.count() >= ORDERS_PER_HOUR:
            ivr = IvrResult(IvrOutcome.NO_TARGET, [IvrStep.HANG_UP])
            refused = _dial_in_refused(authorized, OrderReason.RATE_LIMITED)
            return DialInResult(ivr, refused, OrderReason.RATE_LIMITED)
        ivr = run_dial_in(recognised=True, pin=authorized.pin, entries=entries)
        if ivr.wrong_pins:
            for _ in range(ivr.wrong_pins):
                _dial_in_refused(authorized, OrderReason.WRONG_PIN)
            wrong = authorized.orders.filter(reason=OrderReason.WRONG_PIN, created_at__gt=now - WRONG_PIN_WINDOW)
            if wrong.count() >= WRONG_PINS_BEFORE_LOCK:
                authorized.locked_until = now + LOCK_DURATION
                authorized.save(update_fields=["locked_until"])
        if ivr.outcome == IvrOutcome.HANG_UP_WRONG_PIN:
            return DialInResult(ivr, None, OrderReason.WRONG_PIN)
        if ivr.outcome != IvrOutcome.TARGET:
            return DialInResult(ivr, _dial_in_refused(authorized, OrderReason.MALFORMED), OrderReason.MALFORMED)
        try:
            target = normalise_external_number(ivr.target)
        except InvalidNumber:
            return DialInResult(ivr, _dial_in_refused(authorized, OrderReason.MALFORMED), OrderReason.MALFORMED)
        if reason := target_refusal(customer=authorized.customer, target=target):
            return DialInResult(ivr, _dial_in_refused(authorized, reason, target), reason)
        order = CallbackOrder.objects.create(
            customer=authorized.customer,
            authorized_number=authorized,
            channel=OrderChannel.DIAL_IN,
            target=target,
            status=OrderStatus.EMPLOYEE_ANSWERED,  # the employee is on the line
        )
        order.call_id = f"dialin-{order.pk}-{now:%Y%m%d%H%M%S}"
        order.save(update_fields=["call_id"])
    from pbx.commands import connect

    result = connect(
        customer=authorized.customer,
        caller=authorized.number,
        service_number=service_number(),
        to_number=target,
        caller_id=authorized.presentation.number,
        call_id=order.call_id,
    )
    if result.second_answered:
        order.status = OrderStatus.TARGET_ANSWERED
    else:
        order.status, order.reason = OrderStatus.FAILED, OrderReason.TARGET_NO_ANSWER
    order.save(update_fields=["status", "reason"])
    return DialInResult(ivr, order)


def place_call(*, order_id: int) -> CallbackOrder | None:
    """Have the PBX call the employee, then the target; record how it went. Runs once per order."""
    from pbx.commands import originate

    order = (
        CallbackOrder.objects.select_related("authorized_number__presentation", "customer").filter(pk=order_id).first()
    )
    if order is None or order.status != OrderStatus.ORDERED or order.call_id:
        return order
    authorized = order.authorized_number
    order.call_id = f"callback-{order.pk}-{order.created_at:%Y%m%d%H%M%S}"
    order.save(update_fields=["call_id"])
    result = originate(
        customer=order.customer,
        from_number=authorized.number,
        to_number=order.target,
        caller_id=authorized.presentation.number,
        purpose="callback",
        on_answer_announcement=ANNOUNCEMENT,
        call_id=order.call_id,
    )
    if result.second_answered:
        order.status = OrderStatus.TARGET_ANSWERED
    elif result.first_answered:
        order.status, order.reason = OrderStatus.FAILED, OrderReason.TARGET_NO_ANSWER
    else:
        order.status, order.reason = OrderStatus.FAILED, OrderReason.EMPLOYEE_NO_ANSWER
    order.save(update_fields=["status", "reason"])
    return order
