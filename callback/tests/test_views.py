import pytest
from django.urls import reverse

from callback.models import AuthorizedNumber
from callback.tests import factories
from pbx.models import OutgoingSms
from pbx.tests import factories as pbx_factories

pytestmark = pytest.mark.django_db

ADD = reverse("callback:authorized_number_create")
LIST = reverse("callback:authorized_numbers")


def form_data(presentation, **overrides):
    return {
        "description": "Jan Kowalski",
        "number": "888 777 666",
        "presentation": presentation.pk,
        "pin": "1234",
        "send_instructions": "on",
        **overrides,
    }


def test_adding_shows_the_rate_of_the_employee_leg_and_saves_only_after_yes(client_user, customer, presentation):
    response = client_user.post(ADD, form_data(presentation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Polska Komórka" in page
    assert "0,110" in page and "0,135" in page  # net and gross per minute
    assert not AuthorizedNumber.objects.exists()

    response = client_user.post(ADD, {**form_data(presentation), "confirm": "yes"})
    assert response.status_code == 302
    authorized = AuthorizedNumber.objects.for_customer(customer).get()
    assert (authorized.number, authorized.pin) == ("+48888777666", "1234")
    assert OutgoingSms.objects.filter(to="+48888777666").exists()


def test_no_on_the_cost_step_saves_nothing(client_user, presentation):
    client_user.post(ADD, {**form_data(presentation), "confirm": "no"})
    assert not AuthorizedNumber.objects.exists()


def test_empty_pin_is_warned_about(client_user, presentation):
    response = client_user.post(ADD, form_data(presentation, pin=""))
    assert "No PIN is set" in response.content.decode() or "Nie ustawiono kodu PIN" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("number", "12345"), ("number", "abc"), ("pin", "12"), ("pin", "12ab"), ("description", "")],
)
def test_bad_input_is_explained_and_nothing_saved(client_user, presentation, field, value):
    response = client_user.post(ADD, {**form_data(presentation, **{field: value}), "confirm": "yes"})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not AuthorizedNumber.objects.exists()


def test_a_number_held_by_another_customer_is_refused_without_naming_it(client_other, other_customer, authorized):
    other_presentation = pbx_factories.phone_number(other_customer, number="+48229998877")
    response = client_other.post(ADD, {**form_data(other_presentation, description="Nowy"), "confirm": "yes"})
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors["number"]
    assert "Jan Kowalski" not in page and authorized.customer.name not in page
    assert AuthorizedNumber.objects.count() == 1


def test_another_customers_presentation_number_is_refused(client_user, other_customer):
    foreign = pbx_factories.phone_number(other_customer, number="+48229998877")
    response = client_user.post(ADD, {**form_data(foreign), "confirm": "yes"})
    assert response.context["form"].errors["presentation"]


def test_list_shows_only_own_numbers_with_search(client_user, authorized, other_customer):
    factories.authorized_number(other_customer, description="Cudzy", number="+48601000111")
    page = client_user.get(LIST).content.decode()
    assert "Jan Kowalski" in page and "+48 888 777 666" in page
    assert "Cudzy" not in page
    assert "Jan Kowalski" not in client_user.get(LIST, {"q": "Nikt"}).content.decode()
    assert "Jan Kowalski" in client_user.get(LIST, {"q": "777"}).content.decode()


def test_edit_and_delete(client_user, authorized):
    response = client_user.post(
        reverse("callback:authorized_number_edit", args=[authorized.pk]),
        {"description": "Jan K.", "presentation": authorized.presentation_id, "pin": ""},
    )
    assert response.status_code == 302
    authorized.refresh_from_db()
    assert (authorized.description, authorized.pin) == ("Jan K.", "")
    client_user.post(reverse("callback:authorized_number_delete", args=[authorized.pk]))
    assert not AuthorizedNumber.objects.exists()


def test_history_shows_own_orders_only(client_user, authorized, other_customer):
    factories.callback_order(authorized, target="+48111222333")
    foreign = factories.authorized_number(other_customer, description="Cudzy", number="+48601000111")
    factories.callback_order(foreign, target="+48555666777")
    page = client_user.get(reverse("callback:orders")).content.decode()
    assert "+48 111 222 333" in page
    assert "+48 555 666 777" not in page and "Cudzy" not in page
    page = client_user.get(reverse("callback:orders"), {"number": foreign.pk}).content.decode()
    assert "+48 555 666 777" not in page
