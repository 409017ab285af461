"""SIP account URLs for the shared tenancy test: another customer's account is 404 on every page."""

from pbx.models import SipAccount
from pbx.tests import factories


def sip_account_of(customer) -> dict:
    """A SIP account of `customer`; returns the URL kwargs."""
    extension = str(20 + SipAccount.objects.for_customer(customer).count())
    account = factories.sip_account(customer, extension=extension, name="Sekretariat")
    return {"pk": account.pk}


OBJECT_URLS = {
    "pbx:sip_account_detail": sip_account_of,
    "pbx:sip_account_edit": sip_account_of,
    "pbx:sip_account_delete": sip_account_of,
}
