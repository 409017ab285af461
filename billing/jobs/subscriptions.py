"""Background jobs of subscriptions: the monthly fees (package and monthly services) and closing ended subscriptions.

Both are periodic (centrala/cron.py); each is a thin entry point that takes ids and calls billing.services.
"""

from django.utils import timezone

from billing import services
from panel.jobqueue import QUEUE_DEFAULT, QUEUE_LOW, background_job, enqueue_now
from panel.models import Customer


@background_job(queue=QUEUE_LOW, timeout=600, retries=3)
def charge_monthly_fees() -> int:
    """On the first day of the month: one job per active customer (each idempotent by ledger keys)."""
    month = timezone.now().isoformat()
    ids = list(Customer.objects.filter(is_active=True).values_list("pk", flat=True))
    for customer_id in ids:
        enqueue_now(charge_customer_monthly_fees, customer_id, month, job_id=f"monthly-fees-{customer_id}-{month[:7]}")
    return len(ids)


@background_job(queue=QUEUE_DEFAULT, timeout=120, retries=5)
def charge_customer_monthly_fees(customer_id: int, month_iso: str) -> int:
    """Charge one customer's package and monthly services for the month of `month_iso` (safe to repeat)."""
    from datetime import datetime

    customer = Customer.objects.get(pk=customer_id)
    return services.monthly_fees_charge(customer=customer, month=datetime.fromisoformat(month_iso))


@background_job(queue=QUEUE_LOW, timeout=120, retries=3)
def close_ended_subscriptions() -> int:
    """Mark subscriptions whose period has ended as ended (idempotent)."""
    return services.subscriptions_close()
