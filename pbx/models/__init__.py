from pbx.models.external import ExternalNumber
from pbx.models.numbers import PhoneNumber
from pbx.models.queues import Queue, QueueAgent
from pbx.models.schemes import Scheme
from pbx.models.sip import SipAccount
from pbx.models.sms import OutgoingSms
from pbx.models.voicemail import VoicemailMessage

__all__ = [
    "ExternalNumber",
    "OutgoingSms",
    "PhoneNumber",
    "Queue",
    "Scheme",
    "QueueAgent",
    "SipAccount",
    "VoicemailMessage",
]
