from decimal import Decimal

import pytest
from django.urls import reverse

from billing import selectors
from billing.models import LedgerEntry, Subscription

pytestmark = pytest.mark.django_db


def test_services_page_lists_the_package_and_services_net_and_gross(client_user):
    html = client_user.get(reverse("billing:services")).content.decode()
    assert "Twoje Usługi" in html
    assert "Pakiet Biznes" in html and "89,00 zł" in html and "109,47 zł" in html
    assert "Monitorowanie połączeń" in html and "22,00 zł" in html and "27,06 zł" in html
    assert "w pakiecie" in html  # recording is included in Biznes


def test_switching_on_asks_for_consent_and_no_changes_nothing(client_user, customer):
    url = reverse("billing:service_activate", args=["monitoring"])
    page = client_user.post(url, {"quantity": "1"})
    html = page.content.decode()
    assert "Wyrażam zgodę na obciążenie mnie kosztami" in html
    assert "22,00 zł" in html and "27,06 zł" in html
    before = LedgerEntry.objects.count()
    response = client_user.post(url, {"quantity": "1", "confirm": "no"})
    assert response.status_code == 302
    assert LedgerEntry.objects.count() == before
    assert not Subscription.objects.exists()


def test_yes_switches_on_and_charges(client_user, customer):
    url = reverse("billing:service_activate", args=["monitoring"])
    client_user.post(url, {"quantity": "1", "confirm": "yes"})
    assert Subscription.objects.for_customer(customer).filter(service__code="monitoring").exists()
    assert selectors.balance(customer=customer).gross < Decimal("123.00")


def test_switch_off_takes_effect_at_the_end_of_the_period(client_user, customer):
    client_user.post(reverse("billing:service_activate", args=["monitoring"]), {"quantity": "1", "confirm": "yes"})
    page = client_user.get(reverse("billing:service_cancel", args=["monitoring"])).content.decode()
    assert "do końca okresu rozliczeniowego" in page
    client_user.post(reverse("billing:service_cancel", args=["monitoring"]))
    subscription = Subscription.objects.for_customer(customer).get()
    assert subscription.status == "cancelling" and subscription.ends_at is not None


def test_unknown_service_code_is_404(client_user):
    assert client_user.get(reverse("billing:service_activate", args=["nonsense"])).status_code == 404


def test_bad_quantity_is_a_form_error_not_a_charge(client_user, customer):
    client_user.post(reverse("billing:service_activate", args=["monitoring"]), {"quantity": "x", "confirm": "yes"})
    assert not Subscription.objects.exists()


def test_one_customers_switch_does_not_touch_the_other(client_user, customer, other_customer):
    client_user.post(reverse("billing:service_activate", args=["monitoring"]), {"quantity": "1", "confirm": "yes"})
    assert not Subscription.objects.for_customer(other_customer).exists()
    assert selectors.balance(customer=other_customer).gross == Decimal("0")


def test_ledger_page_shows_only_own_entries(client_user, other_customer):
    from billing.services import balance_top_up

    balance_top_up(customer=other_customer, amount_gross=Decimal("77.77"), reason="Obca wpłata")
    html = client_user.get(reverse("billing:ledger")).content.decode()
    assert "Test top-up" in html and "Obca wpłata" not in html
    assert "123,00 zł" in html


def test_services_page_shows_the_ftp_access_for_recordings(client_user, customer):
    html = client_user.get(reverse("billing:services")).content.decode()
    assert "Dane dostępowe do FTP" in html
    assert 'data-testid="ftp-host"' in html and customer.prefix in html
