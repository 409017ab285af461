"""Test builders of the panel app: customers (the tenant root) and their users.

The shared fixtures (`customer`, `other_customer`, `user`, ... in panel/testing.py) are made with these too.
"""

from __future__ import annotations

from panel.choices import Package
from panel.models import Customer, User

PASSWORD = "test-pass-12345"


def customer(*, name: str = "Firma ABCDE", prefix: str = "firmaabcde", package: str = Package.BIZNES, **fields):
    """A customer; its prefix (its SIP and FTP login) must be unique, so pass another one for a second customer."""
    return Customer.objects.create(name=name, prefix=prefix, package=package, **fields)


def user(customer: Customer | None, *, username: str = "demo", password: str = PASSWORD, **fields) -> User:
    """A user of `customer` (None: an operator, with `is_staff`) who logs in with `password`."""
    account = User(username=username, customer=customer, **fields)
    account.set_password(password)
    account.save()
    return account
