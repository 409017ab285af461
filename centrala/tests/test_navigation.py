"""The top menu: every entry opens for a customer's user."""

import pytest

from centrala.navigation import all_entries

pytestmark = pytest.mark.django_db


def test_every_menu_entry_answers(client_user):
    for entry in all_entries():
        response = client_user.get(entry.url)
        assert response.status_code == 200, entry.url_name
