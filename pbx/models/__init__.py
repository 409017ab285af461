from pbx.models.external import ExternalNumber
from pbx.models.numbers import PhoneNumber
from pbx.models.queues import Queue, QueueAgent
from pbx.models.schemes import Scheme
from pbx.models.sip import SipAccount

__all__ = ["ExternalNumber", "PhoneNumber", "Queue", "Scheme", "QueueAgent", "SipAccount"]
