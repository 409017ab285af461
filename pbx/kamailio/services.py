"""Writes of the extension monitoring: check monitored phones through Kamailio and warn when one stops working."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panel.models import Customer, User
from pbx.kamailio import config, selectors, sipping
from pbx.kamailio.choices import HealthState
from pbx.kamailio.models import SipHealth
from pbx.models import SipAccount

logger = logging.getLogger(__name__)

MAX_PARALLEL_CHECKS = 16
# Kamailio's own answers in the monitoring route (anything else final came from the phone).
NOT_REGISTERED_STATUSES = {404, 480}
TIMEOUT_STATUS = 408


class KamailioUnavailable(Exception):
    """Kamailio itself did not answer: an outage of the operator, not of the customer's phones."""


def probe(*, account: SipAccount, registered: bool) -> tuple[str, str]:
    """(state, detail) of one extension: registered, and answering SIP OPTIONS sent through Kamailio."""
    if not registered:
        return HealthState.NOT_REGISTERED, ""
    response = sipping.options(
        settings.KAMAILIO_HOST,
        settings.KAMAILIO_PORT,
        user=account.sip_username,
        timeout=settings.SIP_MONITOR_TIMEOUT + 2,  # Kamailio gives up on the phone after SIP_MONITOR_TIMEOUT
        headers={"X-Centrala-Monitor": config.monitor_token()},
    )
    if response is None:
        raise KamailioUnavailable(f"No answer from Kamailio at {settings.KAMAILIO_HOST}:{settings.KAMAILIO_PORT}")
    detail = f"{response.status} {response.reason}".strip()[:200]
    if response.status in NOT_REGISTERED_STATUSES:
        return HealthState.NOT_REGISTERED, detail
    if response.status == TIMEOUT_STATUS:
        return HealthState.NO_ANSWER, detail
    return HealthState.OK, detail


def sip_health_check(*, customer: Customer) -> list[SipHealth]:
    """Check every monitored, active extension of the customer and record what was found.

    A phone that stops working (not registered, or no answer to OPTIONS) is
    shown on the dashboard and reported by e-mail once; the warning clears
    when it answers again. Raises KamailioUnavailable (nothing recorded) when
    Kamailio itself does not answer, so an outage of the server does not
    warn every customer.
    """
    accounts = []
    if customer.is_active:
        accounts = list(
            SipAccount.objects.for_customer(customer)
            .filter(monitor_health=True, is_active=True)
            .select_related("customer")
        )
    SipHealth.objects.for_customer(customer).exclude(sip_account__in=accounts).delete()
    if not accounts:
        return []
    found = selectors.registrations(customer=customer, accounts=accounts)
    # The probes wait for phones; they run in parallel and outside any transaction.
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CHECKS, len(accounts))) as pool:
        futures = [
            (account, pool.submit(probe, account=account, registered=bool(found.get(account.pk))))
            for account in accounts
        ]
        results = [(account, future.result()) for account, future in futures]
    now = timezone.now()
    return [
        _record(customer=customer, account=account, state=state, detail=detail, now=now)
        for account, (state, detail) in results
    ]


@transaction.atomic
def _record(*, customer: Customer, account: SipAccount, state: str, detail: str, now: datetime) -> SipHealth:
    health, _created = (
        SipHealth.objects.for_customer(customer)
        .select_for_update()
        .get_or_create(sip_account=account, defaults={"customer": customer, "state": state, "checked_at": now})
    )
    health.state, health.detail, health.checked_at = state, detail, now
    if state == HealthState.OK:
        health.failing_since = None
        health.alert_sent_at = None
    else:
        health.failing_since = health.failing_since or now
        if health.alert_sent_at is None:
            health.alert_sent_at = now
            _send_warning(customer=customer, account=account, state=state)
    health.save()
    return health


def _send_warning(*, customer: Customer, account: SipAccount, state: str) -> None:
    """Tell the customer's users by e-mail that a monitored extension stopped working (after the commit)."""
    addresses = list(
        User.objects.for_customer(customer).filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        label = f"{account.extension} {account.name}".strip()
        subject = _("Centrala: extension %(extension)s does not work") % {"extension": label}
        reason = HealthState(state).label
        body = _(
            "The monitoring of extension %(extension)s (SIP user %(username)s) found a problem.\n\n"
            "State of the phone: %(reason)s.\n\n"
            "Calls to this extension may not reach anyone. Check that the phone is switched on, connected to the "
            "internet and registered with the data shown in the panel (Wirtualna Centrala > Konta SIP).\n\n"
            "We will tell you again only after it has worked in between.\n"
        ) % {"extension": label, "username": account.sip_username, "reason": reason}
    logger.info("SIP monitoring warning for %s (%s) to %d address(es)", account.sip_username, state, len(addresses))
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=True))
