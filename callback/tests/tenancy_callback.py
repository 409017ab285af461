"""Callback URLs that take an object id, for tests/test_tenancy.py."""

from callback.tests import factories


def _authorized_number(customer):
    authorized = factories.authorized_number(customer, description="Tenancy")
    return {"pk": authorized.pk}


OBJECT_URLS = {
    "callback:authorized_number_edit": _authorized_number,
    "callback:authorized_number_delete": _authorized_number,
}
