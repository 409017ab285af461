import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from panel.models import Customer, User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.mark.parametrize("prefix", ["ab", "Firma", "firma_1", "a" * 21, "firma abc", "żółw"])
def test_invalid_login_prefixes_are_refused(prefix):
    with pytest.raises(ValidationError) as error:
        Customer(name="X", prefix=prefix).full_clean()
    assert "prefix" in error.value.message_dict


@pytest.mark.parametrize("prefix", ["abc", "firmaabcde", "a1b2c3", "x" * 20])
def test_valid_login_prefixes(prefix):
    Customer(name="X", prefix=prefix).full_clean()


def test_prefix_is_unique(customer):
    with pytest.raises(ValidationError):
        Customer(name="Y", prefix=customer.prefix).full_clean()


def test_a_customer_user_must_have_a_customer():
    with pytest.raises(IntegrityError):
        User.objects.create(username="orphan")


def test_for_customer_scopes_users(user, other_user, customer):
    assert list(User.objects.for_customer(customer)) == [user]
    assert list(User.objects.for_customer(None)) == []


def test_api_token_key_is_shown_once_and_only_its_hash_is_stored(customer):
    from panel.models import ApiToken
    from panel.models.api import hash_token

    token, key = ApiToken.issue(customer=customer, name="PBX")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.key_prefix) and stored.key_hash == hash_token(key)
    assert key.startswith(stored.key_prefix)
