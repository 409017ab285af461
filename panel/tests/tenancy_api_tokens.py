"""Object URLs of the API keys page, for tests/test_tenancy.py (another customer's key → 404)."""

from panel.models import ApiToken


def _token_of(customer):
    token, _key = ApiToken.issue(customer=customer, name="Centrala w biurze")
    return {"pk": token.pk}


OBJECT_URLS = {
    "panel:api_token_revoke": _token_of,
}
