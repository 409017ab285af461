"""Writes of external numbers keep to one customer and never delete a forward target."""

import pytest
from django.core.exceptions import ValidationError

from pbx import choices
from pbx.models import ExternalNumber
from pbx.selectors.external import external_number_usages
from pbx.services.external import (
    ExternalNumberInUse,
    external_number_create,
    external_number_delete,
    external_number_update,
)
from pbx.tests import factories

pytestmark = pytest.mark.django_db


def test_create_and_update(customer):
    created = external_number_create(customer=customer, number="+48501222333", description="Jan")
    assert created.customer == customer
    external_number_update(customer=customer, external_number=created, description="Ewa", short_code="*022#")
    created.refresh_from_db()
    assert (created.description, created.short_code) == ("Ewa", "*022#")


def test_create_refuses_a_duplicate(customer):
    external_number_create(customer=customer, number="+48501222333")
    with pytest.raises(ValidationError):
        external_number_create(customer=customer, number="+48501222333")


def test_update_and_delete_refuse_another_customers_number(customer, other_customer):
    foreign = factories.external_number(other_customer, number="+48501222333", description="Obcy")
    with pytest.raises(ExternalNumber.DoesNotExist):
        external_number_update(customer=customer, external_number=foreign, description="Mój")
    with pytest.raises(ExternalNumber.DoesNotExist):
        external_number_delete(customer=customer, external_number=foreign)
    foreign.refresh_from_db()
    assert foreign.description == "Obcy"


def test_update_refuses_fields_the_customer_may_not_change(customer, other_customer):
    own = factories.external_number(customer, number="+48501222333")
    with pytest.raises(TypeError):
        external_number_update(customer=customer, external_number=own, customer_id=other_customer.pk)


def test_usages_name_every_forwarding_condition_and_number(customer):
    own = factories.external_number(customer, number="+48501222333")
    factories.sip_account(customer, extension="11", name="", fwd_no_answer_external=own, fwd_unavailable_external=own)
    factories.phone_number(customer, number="+48223001122", route_external=own)
    assert external_number_usages(customer=customer, external_number=own) == [
        "Konto SIP 11: przekierowanie przy warunku „Brak odpowiedzi”",
        "Konto SIP 11: przekierowanie przy warunku „Niedostępny”",
        "Numer telefonu +48 223 001 122: „Przekieruj na”",
    ]


def test_delete_refused_while_in_use_and_allowed_after(customer):
    own = factories.external_number(customer, number="+48501222333")
    account = factories.sip_account(
        customer, extension="10", fwd_busy_kind=choices.ForwardKind.EXTERNAL, fwd_busy_external=own
    )
    with pytest.raises(ExternalNumberInUse) as error:
        external_number_delete(customer=customer, external_number=own)
    assert len(error.value.usages) == 1
    account.fwd_busy_kind, account.fwd_busy_external = choices.ForwardKind.NONE, None
    account.save()
    external_number_delete(customer=customer, external_number=own)
    assert not ExternalNumber.objects.exists()


def test_external_number_that_is_a_queue_agent_cannot_be_deleted(customer):
    from pbx.selectors.external import external_number_usages

    external = factories.external_number(customer, number="+48501222333")
    queue = factories.queue(customer, name="Sprzedaż", number="1000")
    factories.queue_agent(queue, external=external, position=1)
    usages = external_number_usages(customer=customer, external_number=external)
    assert any("Sprzedaż" in usage for usage in usages)
