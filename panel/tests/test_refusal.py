"""One refusal type for every input from outside, answered by the API in one place."""

from __future__ import annotations

import pytest

from panel.api import exception_handler
from panel.refusal import Refused


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("code", "status"),
    [
        (Refused.INVALID, 400),
        (Refused.AUDIO, 400),
        (Refused.CALL_UNKNOWN, 400),
        (Refused.SERVICE_OFF, 403),
        (Refused.NOT_FOUND, 404),
        (Refused.CONFLICT, 409),
    ],
)
def test_the_api_answers_a_refusal_with_its_status_and_the_usual_error_body(code, status):
    response = exception_handler(Refused(code, "Nie tym razem.", field="file"), context={})
    assert response.status_code == status
    assert response.data == {"detail": "Nie tym razem.", "errors": {"file": ["Nie tym razem."]}}


@pytest.mark.smoke
def test_a_refusal_without_a_field_has_no_field_errors_and_an_unknown_code_is_a_programming_error():
    assert exception_handler(Refused(Refused.CONFLICT, "Już zakończone."), context={}).data == {
        "detail": "Już zakończone."
    }
    with pytest.raises(ValueError, match="unknown refusal code"):
        Refused("teapot", "?")
