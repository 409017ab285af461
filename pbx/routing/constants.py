"""The numbers and codes of the dial plan, defined once: the pure engine routes by them, the panel's models,
forms and feature-code checks (pbx/constants.py) show and enforce the same values."""

from decimal import Decimal

DEFAULT_RING_TIME = 30  # seconds an extension rings before its no-answer rule
DEFAULT_RETURN_AFTER = 30  # an extension's "return after" default, in seconds
GLOBAL_MAX_RATE = Decimal("1.00")  # PLN net per minute, the default of "Maks. minutowa stawka"
VOICEMAIL_ACCESS_CODE = "*98"
QUEUE_LOGIN_SUFFIX = "*1"  # queue number + suffix: an agent logs in
QUEUE_LOGOUT_SUFFIX = "*2"
CONFERENCE_PIN_ATTEMPTS = 3  # wrong PINs before a teleconference caller is disconnected
DIAL_IN_PIN_ATTEMPTS = 3  # wrong PINs before a dial-in ("Wdzwoń się") caller is disconnected
EXTERNAL_RING_TIME = 30  # seconds an external number rings
CALLED_RING_TIME = 60  # seconds the party called back or dialled in to rings
