"""Callback URLs that take an object id, for tests/test_tenancy.py."""

from callback.models import AuthorizedNumber
from pbx.tests import factories as pbx_factories


def _authorized_number(customer):
    presentation = pbx_factories.phone_number(customer, number=f"+4822{customer.pk:07d}")
    authorized = AuthorizedNumber.objects.create(
        customer=customer, description="Tenancy", number=f"+4860{customer.pk:07d}", presentation=presentation
    )
    return {"pk": authorized.pk}


OBJECT_URLS = {
    "callback:authorized_number_edit": _authorized_number,
    "callback:authorized_number_delete": _authorized_number,
}
