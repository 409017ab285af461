"""Background jobs of the extension monitoring ("Monitoruj i sprawdzaj czy ten numer wewnętrzny działa prawidłowo")."""

from __future__ import annotations

from panel.jobqueue import QUEUE_DEFAULT, background_job, enqueue_now
from panel.models import Customer
from pbx.kamailio import services
from pbx.kamailio.models import SipHealth
from pbx.models import SipAccount


@background_job(queue=QUEUE_DEFAULT, timeout=60, retries=0)
def monitor_sip_accounts() -> int:
    """Periodic: one check per customer with monitored extensions (or with results left to clear)."""
    monitored = SipAccount.objects.filter(monitor_health=True, is_active=True).values_list("customer_id", flat=True)
    with_results = SipHealth.objects.values_list("customer_id", flat=True)
    customer_ids = sorted(set(monitored) | set(with_results))
    for customer_id in customer_ids:
        enqueue_now(check_sip_accounts, customer_id)
    return len(customer_ids)


@background_job(queue=QUEUE_DEFAULT, timeout=120, retries=2, retry_intervals=(30, 120))
def check_sip_accounts(customer_id: int) -> int:
    """Check the monitored extensions of one customer (idempotent: it records the state found now)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return 0
    return len(services.sip_health_check(customer=customer))
