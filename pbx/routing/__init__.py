"""The routing engine: what happens to a call in a customer's PBX. Plain Python, no Django.

    from pbx.routing import IncomingCall, ScriptedAnswers, route
    result = route(config, IncomingCall(did="+48943401128", at=when, caller="+48600100200"), ScriptedAnswers({...}))

`pbx.selectors.routing.load_config(customer=...)` builds the config from the
database; `pbx.routing.reasons` puts the steps into words.
"""

from pbx.routing.answers import Answers, KindAnswers, RandomAnswers, ScriptedAnswers
from pbx.routing.engine import MAX_STEPS, route
from pbx.routing.model import (
    AskedQuestion,
    AuthorizedNumber,
    Condition,
    ConferenceRoom,
    DialInCall,
    DialledCall,
    Extension,
    ExternalNumber,
    Forward,
    ForwardKind,
    IncomingCall,
    Party,
    PhoneNumber,
    Question,
    QuestionKind,
    Queue,
    QueueAgent,
    Reply,
    RouteResult,
    RoutingConfig,
    Scheme,
    Step,
    StepKind,
    Visit,
)

__all__ = [
    "MAX_STEPS",
    "Answers",
    "AskedQuestion",
    "AuthorizedNumber",
    "Condition",
    "ConferenceRoom",
    "DialInCall",
    "DialledCall",
    "Extension",
    "ExternalNumber",
    "Forward",
    "ForwardKind",
    "IncomingCall",
    "KindAnswers",
    "Party",
    "PhoneNumber",
    "Queue",
    "QueueAgent",
    "Question",
    "QuestionKind",
    "RandomAnswers",
    "Reply",
    "RouteResult",
    "RoutingConfig",
    "Scheme",
    "ScriptedAnswers",
    "Step",
    "StepKind",
    "Visit",
    "route",
]
