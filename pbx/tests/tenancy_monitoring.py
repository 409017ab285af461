"""Call-monitoring URLs for the shared tenancy test: another customer's live call is 404 in the monitor form."""

from pbx.models import LiveCall
from pbx.tests.monitoring_support import live_call, monitoring_on


def monitored_call(customer) -> dict:
    """A live call of `customer`, which has the monitoring service; returns the form's URL kwargs."""
    monitoring_on(customer)
    return {"pk": LiveCall.objects.for_customer(customer).get(call_id=live_call(customer)).pk}


OBJECT_URLS = {
    "pbx:monitor_start": monitored_call,
}
