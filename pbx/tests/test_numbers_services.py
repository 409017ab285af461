"""The service behind the phone-numbers page checks ownership itself, whatever the form let through."""

import pytest

from pbx import choices
from pbx.models import PhoneNumber
from pbx.services.numbers import NumberSettings, phone_numbers_update
from pbx.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(customer):
    return [
        factories.phone_number(customer, number="+48943401128"),
        factories.phone_number(customer, number="+48223001122"),
    ]


def test_updates_all_rows_and_counts_only_changes(customer, numbers):
    queue = factories.queue(customer, name="Sprzedaż", number="600")
    rows = [
        NumberSettings(numbers[0].pk, "Infolinia", "INFO", choices.RouteKind.QUEUE, queue),
        NumberSettings(numbers[1].pk, "", "", choices.RouteKind.NONE, None),
    ]
    assert phone_numbers_update(customer=customer, rows=rows) == 1
    numbers[0].refresh_from_db()
    assert (numbers[0].route_kind, numbers[0].route_queue, numbers[0].clip_prefix) == ("queue", queue, "INFO")
    assert phone_numbers_update(customer=customer, rows=rows) == 0


def test_switching_the_target_clears_the_old_one(customer, numbers):
    account = factories.sip_account(customer, extension="10")
    external = factories.external_number(customer, number="+48501222333")
    number = numbers[0]
    phone_numbers_update(
        customer=customer, rows=[NumberSettings(number.pk, "", "", choices.RouteKind.EXTENSION, account)]
    )
    phone_numbers_update(
        customer=customer, rows=[NumberSettings(number.pk, "", "", choices.RouteKind.EXTERNAL, external)]
    )
    number.refresh_from_db()
    assert (number.route_kind, number.route_sip, number.route_external) == ("external", None, external)


def test_another_customers_target_changes_nothing(customer, other_customer, numbers):
    foreign = factories.sip_account(other_customer, extension="10")
    rows = [
        NumberSettings(numbers[0].pk, "Zmiana", "", choices.RouteKind.NONE, None),
        NumberSettings(numbers[1].pk, "", "", choices.RouteKind.EXTENSION, foreign),
    ]
    with pytest.raises(ValueError):
        phone_numbers_update(customer=customer, rows=rows)
    numbers[0].refresh_from_db()
    assert numbers[0].description == ""


def test_target_of_the_wrong_kind_is_refused(customer, numbers):
    queue = factories.queue(customer, name="Sprzedaż", number="600")
    with pytest.raises(ValueError):
        phone_numbers_update(
            customer=customer, rows=[NumberSettings(numbers[0].pk, "", "", choices.RouteKind.EXTENSION, queue)]
        )


def test_another_customers_number_changes_nothing(customer, other_customer, numbers):
    foreign = factories.phone_number(other_customer, number="+48123005566")
    rows = [
        NumberSettings(numbers[0].pk, "Zmiana", "", choices.RouteKind.NONE, None),
        NumberSettings(foreign.pk, "Przejęty", "", choices.RouteKind.NONE, None),
    ]
    with pytest.raises(PhoneNumber.DoesNotExist):
        phone_numbers_update(customer=customer, rows=rows)
    foreign.refresh_from_db()
    numbers[0].refresh_from_db()
    assert (foreign.description, numbers[0].description) == ("", "")
