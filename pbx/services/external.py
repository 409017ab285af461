"""Writes of external numbers: the only code that creates, changes or deletes them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from panel.models import Customer
from pbx import choices
from pbx.models import ExternalNumber
from pbx.selectors.external import external_number_usages

EDITABLE_FIELDS = ("number", "description", "dtmf", "short_code", "presentation", "may_transfer", "sms_on_forward")


class ExternalNumberInUse(Exception):
    """The external number is still a forward target; `usages` says where, in words."""

    def __init__(self, usages: list[str]) -> None:
        super().__init__("; ".join(usages))
        self.usages = usages


@transaction.atomic
def external_number_create(
    *,
    customer: Customer,
    number: str,
    description: str = "",
    dtmf: str = "",
    short_code: str = "",
    presentation: str = choices.ExternalPresentation.PASSIVE,
    may_transfer: bool = False,
    sms_on_forward: bool = False,
) -> ExternalNumber:
    """Add a number outside the PBX that the customer can forward calls to (validated by the form first)."""
    external_number = ExternalNumber(
        customer=customer,
        number=number,
        description=description,
        dtmf=dtmf,
        short_code=short_code,
        presentation=presentation,
        may_transfer=may_transfer,
        sms_on_forward=sms_on_forward,
    )
    external_number.full_clean()
    external_number.save()
    return external_number


@transaction.atomic
def external_number_update(*, customer: Customer, external_number: ExternalNumber, **fields) -> ExternalNumber:
    """Change the settings of one of the customer's external numbers."""
    if external_number.customer_id != customer.pk:
        raise ExternalNumber.DoesNotExist
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(external_number, name, value)
    external_number.full_clean()
    external_number.save(update_fields=list(fields))
    return external_number


@transaction.atomic
def external_number_delete(*, customer: Customer, external_number: ExternalNumber) -> None:
    """Remove an external number, unless calls are still forwarded to it (then `ExternalNumberInUse`)."""
    if external_number.customer_id != customer.pk:
        raise ExternalNumber.DoesNotExist
    usages = external_number_usages(customer=customer, external_number=external_number)
    if usages:
        raise ExternalNumberInUse(usages)
    try:
        external_number.delete()
    except ProtectedError as error:
        # A forward target in a part of the PBX this module does not know about yet.
        raise ExternalNumberInUse([str(obj) for obj in error.protected_objects]) from error
