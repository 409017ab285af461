"""One refusal for everything that reaches the panel from outside and is not taken.

A PBX's recording or voicemail message, a call event, a monitor command: a
service that will not take it raises `Refused` with a stable `code`, a
sentence in the user's language and, when one field is at fault, its name.
The API answers every refusal in one place (panel.api.exception_handler):
the code picks the HTTP status, the body is the API's usual error shape.
Views and jobs catch it and show or log the sentence.
"""

from __future__ import annotations


class Refused(Exception):
    """Not taken: `code` for machines (one of the constants below), `message` for people, `field` at fault."""

    INVALID = "invalid"  # the request itself: ids, times, numbers
    AUDIO = "audio"  # not acceptable audio
    CALL_UNKNOWN = "call_unknown"  # a recording of a call with no record and not enough data about it
    NOT_FOUND = "not_found"  # nothing of the customer's by that name (another customer's looks the same)
    SERVICE_OFF = "service_off"  # the paid service it needs was off
    CONFLICT = "conflict"  # clashes with what is stored: another recording of the call, a call that has ended

    HTTP_STATUS = {
        INVALID: 400,
        AUDIO: 400,
        CALL_UNKNOWN: 400,
        NOT_FOUND: 404,
        SERVICE_OFF: 403,
        CONFLICT: 409,
    }

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        if code not in self.HTTP_STATUS:
            raise ValueError(f"unknown refusal code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field

    @property
    def http_status(self) -> int:
        return self.HTTP_STATUS[self.code]

    def body(self) -> dict:
        """The API's error body: the sentence, and the field's messages when a field is at fault."""
        body: dict = {"detail": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body
