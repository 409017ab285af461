import pytest

from callback.models import AuthorizedNumber
from pbx.tests import factories as pbx_factories


@pytest.fixture
def presentation(customer):
    return pbx_factories.phone_number(customer, number="+48221234567")


@pytest.fixture
def authorized(customer, presentation):
    return AuthorizedNumber.objects.create(
        customer=customer, description="Jan Kowalski", number="+48888777666", presentation=presentation, pin="1234"
    )
