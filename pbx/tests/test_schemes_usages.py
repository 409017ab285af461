"""An extension, external number or queue that a scheme's element names cannot be deleted; the scheme is listed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pbx.models import ExternalNumber, Queue, SipAccount
from pbx.selectors.external import external_number_usages
from pbx.selectors.queues import queue_scheme_usages
from pbx.selectors.sip import sip_account_usages
from pbx.services.external import ExternalNumberInUse, external_number_delete
from pbx.services.sip import SipAccountInUse, sip_account_delete
from pbx.tests import factories

pytestmark = pytest.mark.django_db


def scheme_with(customer, name, *nodes):
    """A scheme whose start announcement leads to the given element (only the config matters here)."""
    graph = {"start": "a", "nodes": {"a": {"type": "announcement", "config": {}, "exits": {"next": "b"}}}}
    for index, (node_type, config) in enumerate(nodes):
        graph["nodes"][f"b{index}" if index else "b"] = {"type": node_type, "config": config, "exits": {}}
    return factories.scheme(customer, name=name, graph=graph)


def test_an_extension_rung_by_a_scheme_cannot_be_deleted(client_user, customer):
    account = factories.sip_account(customer, extension="10", name="Biuro")
    scheme_with(customer, "Infolinia", ("extension", {"sip_account": account.pk, "ring_seconds": 30}))
    assert sip_account_usages(customer=customer, account=account) == [
        "Schemat centralki Infolinia: element korzysta z tego numeru wewnętrznego"
    ]
    with pytest.raises(SipAccountInUse):
        sip_account_delete(customer=customer, account=account)
    page = client_user.post(reverse("pbx:sip_account_delete", kwargs={"pk": account.pk})).content.decode()
    assert "Schemat centralki Infolinia" in page
    assert SipAccount.objects.filter(pk=account.pk).exists()


def test_an_extension_whose_voicemail_a_scheme_uses_cannot_be_deleted(customer):
    account = factories.sip_account(customer, extension="11", voicemail_enabled=True)
    scheme_with(customer, "Po godzinach", ("voicemail", {"sip_account": account.pk}))
    assert sip_account_usages(customer=customer, account=account) == [
        "Schemat centralki Po godzinach: element korzysta z tego numeru wewnętrznego"
    ]


def test_an_extension_not_in_any_scheme_can_be_deleted(customer, other_customer):
    account = factories.sip_account(customer, extension="10")
    other = factories.sip_account(customer, extension="12")
    scheme_with(customer, "Infolinia", ("extension", {"sip_account": other.pk}))
    # Another customer's scheme naming the same id does not count.
    scheme_with(other_customer, "Obcy", ("extension", {"sip_account": account.pk}))
    assert sip_account_usages(customer=customer, account=account) == []
    sip_account_delete(customer=customer, account=account)
    assert not SipAccount.objects.filter(pk=account.pk).exists()


def test_an_external_number_in_a_scheme_cannot_be_deleted(client_user, customer):
    external = factories.external_number(customer, number="+48501222333")
    scheme_with(customer, "Infolinia", ("external", {"external_number": external.pk, "ring_seconds": 30}))
    assert external_number_usages(customer=customer, external_number=external) == [
        "Schemat centralki Infolinia: element przekierowuje połączenia na ten numer"
    ]
    with pytest.raises(ExternalNumberInUse):
        external_number_delete(customer=customer, external_number=external)
    assert ExternalNumber.objects.filter(pk=external.pk).exists()


def test_a_queue_in_a_scheme_is_reported(customer):
    queue = factories.queue(customer, name="Sprzedaż", number="1000")
    unused = factories.queue(customer, name="Serwis", number="1001")
    scheme_with(customer, "Infolinia", ("queue", {"queue": queue.pk}), ("hangup", {}))
    assert queue_scheme_usages(customer=customer, queue=queue) == [
        "Schemat centralki Infolinia: element kieruje połączenia do tej kolejki"
    ]
    assert queue_scheme_usages(customer=customer, queue=unused) == []


def test_usages_ignore_broken_graphs(customer):
    account = factories.sip_account(customer, extension="10")
    factories.scheme(customer, name="Zepsuty", graph={"nodes": ["x"]})
    factories.scheme(customer, name="Pusty", graph={})
    assert sip_account_usages(customer=customer, account=account) == []


def test_queue_used_in_a_scheme_cannot_be_deleted(customer, client_user):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from pbx.services.queues import queue_delete

    queue = factories.queue(customer, name="Sprzedaż", number="1000")
    factories.scheme(
        customer,
        name="Infolinia",
        graph={
            "start": "q",
            "nodes": {
                "q": {"type": "queue", "label": "Kolejka", "config": {"queue": queue.pk}, "exits": {"timeout": "h"}},
                "h": {"type": "hangup", "label": "", "config": {}, "exits": {}},
            },
        },
    )
    with pytest.raises(ValidationError):
        queue_delete(customer=customer, queue=queue)
    page = client_user.get(reverse("pbx:queue_delete", args=[queue.pk])).content.decode()
    assert "Infolinia" in page and "Tak, usuń" not in page
    assert Queue.objects.filter(pk=queue.pk).exists()
