"""Limits of the panel's PBX settings; the dial plan's own numbers and codes live with the engine."""

from pbx.routing.constants import (  # noqa: F401 (the panel's forms and models read them from here)
    DEFAULT_RETURN_AFTER,
    DEFAULT_RING_TIME,
    GLOBAL_MAX_RATE,
    QUEUE_LOGIN_SUFFIX,
    QUEUE_LOGOUT_SUFFIX,
    VOICEMAIL_ACCESS_CODE,
)

MIN_SECONDS = 5
MAX_SECONDS = 300
GREETING_MAX_BYTES = 10 * 1024 * 1024
GREETING_MAX_SECONDS = 300
SIP_PASSWORD_MIN_LENGTH = 10
