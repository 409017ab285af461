"""Numery Telefonu: "Przekieruj na" offers the customer's call-flow schemes and saves a number's route to one."""

import pytest
from django.urls import reverse

from pbx import choices
from pbx.services.numbers import NumberSettings, phone_numbers_update
from pbx.tests import factories
from pbx.tests.test_numbers_views import form_data

pytestmark = pytest.mark.django_db

URL = reverse("pbx:phone_numbers")


@pytest.fixture
def setup(customer, other_customer):
    return {
        "number": factories.phone_number(customer, number="+48943401128", area="Polska > Koszalin"),
        "extension": factories.sip_account(customer, extension="10", name="Biuro"),
        "scheme": factories.scheme(customer, name="Infolinia"),
        "foreign_scheme": factories.scheme(other_customer, name="Obca infolinia"),
    }


def test_schemes_are_a_group_of_forward_to(client_user, setup):
    page = client_user.get(URL).content.decode()
    assert '<optgroup label="Centralki (schematy)">' in page
    assert f'<option value="scheme:{setup["scheme"].pk}">Infolinia</option>' in page
    assert "Obca infolinia" not in page


def test_forward_a_number_to_a_scheme_and_see_it_selected(client_user, setup):
    number, scheme = setup["number"], setup["scheme"]
    response = client_user.post(URL, form_data([{"id": number.pk, "target": f"scheme:{scheme.pk}"}]))
    assert response.status_code == 302
    number.refresh_from_db()
    assert (number.route_kind, number.route_scheme_id) == (choices.RouteKind.SCHEME, scheme.pk)
    page = client_user.get(URL).content.decode()
    assert f'<option value="scheme:{scheme.pk}" selected>Infolinia</option>' in page
    # The scheme's own pages agree.
    assert "+48 943 401 128" in client_user.get(reverse("pbx:schemes")).content.decode()


def test_forwarding_elsewhere_clears_the_scheme(client_user, setup):
    number = setup["number"]
    number.route_kind, number.route_scheme = choices.RouteKind.SCHEME, setup["scheme"]
    number.save()
    client_user.post(URL, form_data([{"id": number.pk, "target": f"extension:{setup['extension'].pk}"}]))
    number.refresh_from_db()
    assert (number.route_kind, number.route_sip_id, number.route_scheme_id) == (
        "extension",
        setup["extension"].pk,
        None,
    )


def test_another_customers_scheme_is_a_row_error(client_user, setup):
    number = setup["number"]
    response = client_user.post(URL, form_data([{"id": number.pk, "target": f"scheme:{setup['foreign_scheme'].pk}"}]))
    assert response.status_code == 200
    assert "Nic nie zostało zapisane: popraw zaznaczone numery" in response.content.decode()
    number.refresh_from_db()
    assert number.route_kind == choices.RouteKind.NONE and number.route_scheme_id is None


def test_the_service_refuses_another_customers_scheme(customer, setup):
    row = NumberSettings(
        phone_number_id=setup["number"].pk,
        description="",
        clip_prefix="",
        route_kind=choices.RouteKind.SCHEME,
        target=setup["foreign_scheme"],
    )
    with pytest.raises(ValueError):
        phone_numbers_update(customer=customer, rows=[row])
