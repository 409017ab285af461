from pbx.models.numbers import PhoneNumber
from pbx.models.queues import Queue
from pbx.models.sip import SipAccount

__all__ = ["PhoneNumber", "Queue", "SipAccount"]
