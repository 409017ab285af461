import pytest

from callback.tests import factories
from pbx.tests import factories as pbx_factories


@pytest.fixture
def presentation(customer):
    return pbx_factories.phone_number(customer, number="+48221234567")


@pytest.fixture
def authorized(customer, presentation):
    return factories.authorized_number(
        customer, description="Jan Kowalski", number="+48888777666", presentation=presentation, pin="1234"
    )
