"""Object URLs of the external-number pages, for tests/test_tenancy.py (another customer's object → 404)."""

from pbx.tests import factories


def _external_number_of(customer):
    external_number = factories.external_number(customer, number="+48501000001", description="Jan")
    return {"pk": external_number.pk}


OBJECT_URLS = {
    "pbx:external_number_edit": _external_number_of,
    "pbx:external_number_delete": _external_number_of,
}
