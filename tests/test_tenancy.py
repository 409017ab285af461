"""A user of one customer must never reach another customer's objects through any panel URL.

The test walks every URL pattern of the project. Each customer-facing URL that
takes an object id must be listed in an OBJECT_URLS dict with a factory that
creates such an object for a given customer and returns the URL's kwargs; a
new URL that is not listed fails the test, so no view can be added without its
tenancy check. Apps declare theirs in `<app>/tests/tenancy*.py` modules.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from panel.tests import factories as panel_factories

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

# Prefixes outside the customer panel (operators' admin, Django's own views).
NOT_CUSTOMER_FACING = ("admin", "password/reset/", "i18n/", "static/")


def _user_of(customer):
    return {"pk": panel_factories.user(customer, username=f"colleague-{customer.prefix}").pk}


OBJECT_URLS = {
    "panel:user_detail": _user_of,
}
# URLs whose argument names a shared catalogue entry, not a customer's object (with the reason).
CATALOGUE_URLS = {
    "billing:service_activate": "the service catalogue is the same for every customer",
    "billing:service_cancel": "acts only on the requesting customer's own subscription",
}
ROOT = Path(__file__).resolve().parents[1]
for module_path in sorted(ROOT.glob("*/tests/tenancy*.py")):
    module = importlib.import_module(".".join(module_path.relative_to(ROOT).with_suffix("").parts))
    OBJECT_URLS.update(module.OBJECT_URLS)


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            nested_ns = ":".join(filter(None, [namespace, item.namespace]))
            yield from iter_patterns(item, prefix + str(item.pattern), nested_ns)
        elif isinstance(item, URLPattern) and item.name:
            yield prefix + str(item.pattern), ":".join(filter(None, [namespace, item.name])), item


def object_patterns():
    for route, name, pattern in iter_patterns():
        if route.startswith(NOT_CUSTOMER_FACING) or not pattern.pattern.converters:
            continue
        yield route, name


def test_every_object_url_has_a_tenancy_factory():
    missing = [name for _, name in object_patterns() if name not in OBJECT_URLS and name not in CATALOGUE_URLS]
    assert not missing, f"add these URLs to OBJECT_URLS: {missing}"


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_other_customers_object_is_404_and_own_is_200(url_name, client, customer, other_user, user):
    kwargs = OBJECT_URLS[url_name](customer)
    url = reverse(url_name, kwargs=kwargs)
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)
    client.force_login(user)
    assert client.get(url).status_code == 200


def test_missing_object_and_foreign_object_look_the_same(client, customer, other_user):
    client.force_login(other_user)
    foreign = client.get(reverse("panel:user_detail", kwargs=_user_of(customer)))
    missing = client.get(reverse("panel:user_detail", kwargs={"pk": 999999}))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
