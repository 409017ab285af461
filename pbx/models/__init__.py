from pbx.models.external import ExternalNumber
from pbx.models.live import CallEvent, LiveCall, MonitorSession
from pbx.models.numbers import PhoneNumber
from pbx.models.queues import Queue, QueueAgent
from pbx.models.schemes import Scheme
from pbx.models.sip import SipAccount
from pbx.models.sms import OutgoingSms
from pbx.models.voicemail import VoicemailMessage

__all__ = [
    "CallEvent",
    "LiveCall",
    "MonitorSession",
    "ExternalNumber",
    "OutgoingSms",
    "PhoneNumber",
    "Queue",
    "Scheme",
    "QueueAgent",
    "SipAccount",
    "VoicemailMessage",
]
