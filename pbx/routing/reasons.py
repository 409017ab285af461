"""The engine's steps and questions in words a customer understands. Plain Python, no Django.

Each step carries a reason code and parameters; here each code has an
English msgid (marked with `_` for makemessages). The caller passes a
translate function (Django's gettext in the tracer) and a money formatter,
so the engine itself stays free of Django and of locales.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pbx.numbering import format_number
from pbx.routing.model import Question, QuestionKind, Reply, Step, StepKind

Translate = Callable[[str], str]


def _(message: str) -> str:
    """Marks a msgid for makemessages; translated when rendered."""
    return message


def _identity(message: str) -> str:
    return message


def _plain_money(value: Decimal) -> str:
    return f"{value:.3f}"


REASONS: dict[str, str] = {
    # The call starts
    "call.incoming": _("A call from %(caller)s comes in to %(did)s on %(at)s."),
    "call.scheme": _("A call from %(caller)s enters the scheme “%(scheme)s” on %(at)s."),
    "call.dialled": _("Extension %(extension)s dials %(dialled)s on %(at)s."),
    # Phone numbers (DIDs)
    "did.unknown": _("%(did)s is not one of your phone numbers, so the PBX does not take the call."),
    "did.not_connected": _("%(did)s is not forwarded anywhere (“Forward to” is empty), so the PBX hangs up."),
    "did.missing_target": _("The target of %(did)s no longer exists, so the PBX hangs up."),
    "did.to_extension": _("%(did)s is forwarded to extension %(extension)s."),
    "did.to_external": _("%(did)s is forwarded to the external number %(number)s."),
    "did.to_queue": _("%(did)s is forwarded to the queue %(queue)s (%(queue_number)s)."),
    "did.to_scheme": _("%(did)s is bound to the call-flow scheme “%(scheme)s”."),
    "did.to_conference": _("%(did)s is the number of the teleconference room “%(room)s”."),
    # Extensions
    "ring.extension": _("Extension %(extension)s rings for up to %(ring)s s; its phone shows %(shown)s."),
    "ring.forwarded": _("Extension %(extension)s rings for up to %(ring)s s (the “Return after” time of the forward)."),
    "ring.inactive": _("Extension %(extension)s is switched off, so it counts as unavailable."),
    "ext.no_answer": _("Extension %(extension)s did not answer within %(ring)s s."),
    "ext.busy": _("Extension %(extension)s is in another call and call waiting is off, so the caller gets busy."),
    "ext.busy_waiting": _(
        "Extension %(extension)s is in another call; call waiting is on, so the person hears a waiting-call tone, "
        "but did not take the call within %(ring)s s: this counts as no answer."
    ),
    "ext.is_caller": _("Extension %(extension)s is the caller itself, in this very call, so it counts as busy."),
    "ext.unavailable": _("Extension %(extension)s is unavailable (the phone is off or not registered)."),
    "answered.extension": _("Extension %(name)s answers."),
    # Forwarding conditions
    "fwd.to_extension": _(
        "Extension %(extension)s forwards the call (%(condition)s) to extension %(target)s, "
        "which rings for the “Return after” time of %(ring)s s."
    ),
    "fwd.to_external": _(
        "Extension %(extension)s forwards the call (%(condition)s) to the external number %(number)s "
        "for the “Return after” time of %(ring)s s."
    ),
    "fwd.missing_target": _("The forwarding target of extension %(extension)s (%(condition)s) no longer exists."),
    "fwd.voicemail": _("Extension %(extension)s forwards the call (%(condition)s) to its voicemail."),
    "fwd.own_voicemail": _(
        "Extension %(extension)s has no forwarding for this case (%(condition)s), but its voicemail is on for it."
    ),
    "fwd.passed_on": _("Extension %(extension)s passes the call on with its own forwarding (%(condition)s)."),
    "fwd.return": _(
        "The forward target did not take the call, so after the “Return after” time of %(ring)s s "
        "the call returns to extension %(extension)s."
    ),
    "return.voicemail": _("The return action of extension %(extension)s is its voicemail."),
    "return.hangup": _("The return action of extension %(extension)s is to hang up."),
    "end.no_answer": _("Nobody answered and extension %(extension)s has no forwarding or voicemail for it: hang up."),
    "end.busy": _("Extension %(extension)s is busy and has no forwarding or voicemail for it: busy signal."),
    "end.unavailable": _(
        "Extension %(extension)s is unavailable and has no forwarding or voicemail for it: the PBX hangs up."
    ),
    # Voicemail
    "voicemail.message": _("The caller hears the greeting and leaves a message in the voicemail of %(extension)s."),
    "voicemail.off": _("Voicemail of extension %(extension)s is off, so nobody can take a message: hang up."),
    "voicemail.access": _("Extension %(extension)s listens to the messages in its voicemail box."),
    # External numbers
    "ring.external_active": _(
        "The external number %(number)s rings for up to %(ring)s s. Presentation is active: it shows %(shown)s, "
        "the number that was called.%(cost)s"
    ),
    "ring.external_passive": _(
        "The external number %(number)s rings for up to %(ring)s s. Presentation is passive: it shows the real "
        "caller, %(shown)s.%(cost)s"
    ),
    "external.sms": _("An SMS with the caller's number (%(caller)s) is sent to %(number)s."),
    "external.dtmf": _("After the answer the PBX dials the DTMF sequence %(dtmf)s."),
    "external.no_answer": _("The external number %(number)s did not answer within %(ring)s s."),
    "external.failed": _("The call to the external number %(number)s failed (switched off or unreachable)."),
    "answered.external": _("The external number %(number)s answers and sees %(shown)s."),
    "end.external_not_answered": _("The external number %(number)s did not take the call: hang up."),
    # Queues
    "queue.enter": _(
        "The caller enters the queue %(queue)s (%(queue_number)s), ring strategy “%(strategy)s”, "
        "and waits up to %(max_wait)s s."
    ),
    "queue.agent_inactive": _("Agent %(extension)s is switched off, so the queue skips it."),
    "queue.no_agents": _(
        "No agent of the queue %(queue)s can take calls, so the caller waits the maximum %(max_wait)s s."
    ),
    "queue.ring.ringall": _("The queue rings all agents at once: %(agents)s."),
    "queue.ring.linear": _("The queue rings the agents one by one, %(ring)s s each: %(agents)s."),
    "queue.ring.leastrecent": _("The queue rings first the agent who has waited longest since a call: %(agents)s."),
    "queue.ring.rrmemory": _("The queue rings the agent after the one who took the last call: %(agents)s."),
    "queue.ring.linear_agent": _("The queue rings agent %(agent)s."),
    "queue.agent_no_answer": _("Agent %(agent)s did not answer within %(ring)s s; the queue tries the next one."),
    "queue.timeout": _("No agent answered within the maximum wait of %(max_wait)s s."),
    "queue.too_late": _(
        "Agent %(agent)s would ring only after %(waited)s s, beyond the maximum wait of %(max_wait)s s."
    ),
    "queue.timeout_to_extension": _("After the maximum wait the queue %(queue)s forwards the call to %(extension)s."),
    "queue.timeout_hangup": _("After the maximum wait the queue %(queue)s hangs up."),
    "answered.agent": _("Agent %(agent)s of the queue %(queue)s answers and sees %(shown)s."),
    # Conference rooms
    "conference.missing": _("The conference room no longer exists: hang up."),
    "conference.pin": _("The caller enters the PIN of the conference room %(room)s."),
    "conference.pin_retry": _("Wrong PIN (attempt %(attempt)s): the caller is asked again."),
    "conference.pin_wrong": _(
        "The PIN of the conference room %(room)s was wrong %(attempts)s times: the caller is disconnected."
    ),
    "conference.full": _(
        "The conference room %(room)s is full (%(limit)s participants): the caller hears that and is disconnected."
    ),
    "answered.conference": _("The caller joins the conference room %(room)s."),
    # Schemes
    "scheme.missing": _("The scheme no longer exists."),
    "scheme.missing_element": _("The scheme “%(scheme)s” has no element to start with: hang up."),
    "scheme.unconnected_exit": _("The exit “%(exit)s” of the element “%(label)s” is not connected: hang up."),
    "scheme.missing_object": _("The element “%(label)s” points to something that no longer exists: hang up."),
    "scheme.unknown_element": _("The element “%(label)s” is of an unknown kind: hang up."),
    "scheme.announcement": _("The element “%(label)s” plays %(greeting)s.%(text)s"),
    "scheme.hangup": _("The element “%(label)s” hangs up."),
    "scheme.queue_timeout": _("The element “%(label)s” goes on through its exit “wait exceeded”."),
    "scheme.extension_exit": _("The element “%(label)s” goes on through its exit “%(condition)s”."),
    "time.open": _(
        "The element “%(label)s”: it is %(weekday)s, %(at)s, within the hours %(interval)s, so the condition matches."
    ),
    "time.closed": _(
        "The element “%(label)s”: it is %(weekday)s, %(at)s, outside the hours %(hours)s, so the condition "
        "does not match."
    ),
    "time.closed_all_day": _(
        "The element “%(label)s”: it is %(weekday)s, %(at)s and there are no hours on this day, so the condition "
        "does not match."
    ),
    "time.holiday_list": _(
        "The element “%(label)s”: %(at)s is on the element's list of holidays, so the condition does not match."
    ),
    "time.public_holiday": _(
        "The element “%(label)s”: %(at)s is a public holiday (%(holiday)s), so the condition does not match."
    ),
    "ivr.pressed": _("The menu “%(label)s” asks the caller to choose (%(options)s); the caller presses %(digit)s."),
    "ivr.invalid": _("The menu “%(label)s”: the caller presses a key that is not an option, %(attempts)s time(s)."),
    "ivr.timeout": _(
        "The menu “%(label)s”: the caller presses nothing; the menu waits %(timeout)s s, %(attempts)s time(s)."
    ),
    # Calls from an extension
    "caller.unknown": _("There is no extension %(extension)s."),
    "caller.inactive": _("Extension %(extension)s is switched off and cannot make calls."),
    "dial.empty": _("Nothing was dialled."),
    "dial.unknown": _("%(dialled)s is neither an extension, a queue, a code nor a valid phone number."),
    "dial.invalid_star_number": _("%(dialled)s does not hold a valid phone number between * and #."),
    "dial.own_extension": _("Extension %(extension)s dialled its own number."),
    "dial.extension": _("An internal call to extension %(target)s."),
    "dial.queue": _("An internal call to the queue %(queue)s (%(queue_number)s)."),
    "dial.short_code": _("%(code)s is the short code of the external number %(number)s."),
    "dial.star_number": _("%(code)s dials the number %(number)s directly."),
    "dial.conference": _("%(code)s is the internal number of the conference room %(room)s."),
    "feature.voicemail_access": _("*98 is the voicemail access of extension %(extension)s."),
    "feature.voicemail_off": _("*98 is the voicemail access, but voicemail of extension %(extension)s is off."),
    "feature.voicemail_pin": _("The caller enters the voicemail PIN."),
    "feature.voicemail_pin_wrong": _("The voicemail PIN is wrong."),
    "feature.queue_login": _("Extension %(extension)s logs in as an agent of the queue %(queue)s."),
    "feature.queue_login_again": _("Extension %(extension)s is already logged in to the queue %(queue)s."),
    "feature.queue_logout": _("Extension %(extension)s logs out of the queue %(queue)s."),
    "feature.queue_logout_not_logged_in": _("Extension %(extension)s was not logged in to the queue %(queue)s."),
    "feature.queue_static_agent": _(
        "Extension %(extension)s is also a permanent agent of the queue %(queue)s, set in the panel."
    ),
    "feature.done": _("The PBX confirms with an announcement and ends the call."),
    "out.international_denied": _(
        "%(number)s is abroad and international calls are denied for extension %(extension)s."
    ),
    "out.international_global_denied": _(
        "%(number)s is abroad and the global permissions do not allow international calls."
    ),
    "out.international_allowed": _("%(number)s is abroad; extension %(extension)s may make international calls."),
    "out.international_global": _("%(number)s is abroad; the global permissions allow international calls."),
    "out.no_rate": _("Your tariff has no price for %(number)s, so the call is refused."),
    "out.rate_too_high": _(
        "%(destination)s costs %(price)s, more than %(limit_kind)s of %(limit)s, so the call is refused."
    ),
    "out.rate_ok": _("%(destination)s costs %(price)s, within %(limit_kind)s of %(limit)s."),
    "out.pin": _("Extension %(extension)s must enter its PIN before an outgoing call."),
    "out.pin_wrong": _("The PIN is wrong, so the call is refused."),
    "out.presentation": _("The called person sees %(shown)s (the number presentation of the extension)."),
    "out.presentation_withheld": _("The number is withheld (number presentation: withheld number)."),
    # The callback service number ("Wdzwoń się")
    "dialin.call": _("A call from %(caller)s comes in to the service number %(number)s on %(at)s."),
    "dialin.unknown_caller": _(
        "%(caller)s is not one of your authorized numbers, so the service number hangs up without a word."
    ),
    "dialin.recognised": _("%(caller)s is your authorized number “%(description)s”."),
    "dialin.pin": _("The service number asks for the PIN of the authorized number."),
    "dialin.pin_wrong": _("The PIN is wrong."),
    "dialin.pin_ok": _("The PIN is right."),
    "dialin.pin_hangup": _("The PIN was wrong %(tries)s times, so the service number hangs up."),
    "dialin.target": _("The service number asks for the number to call, ended with # (* stands for +)."),
    "dialin.no_target": _("The caller entered no number ended with #, so the service number hangs up."),
    "dialin.target_invalid": _("%(dialled)s is not a phone number, so the call is refused."),
    "dialin.target_entered": _("The caller enters %(number)s."),
    "dialin.international_denied": _(
        "%(number)s is abroad and the global permissions do not allow international calls, so the call is refused."
    ),
    "dialin.international_allowed": _("%(number)s is abroad; the global permissions allow international calls."),
    "dialin.ring": _("The PBX calls %(number)s; the called person sees %(shown)s."),
    "dialin.bridged": _("%(number)s answers and is connected with the caller."),
    "ring.called": _("%(number)s rings."),
    "answered.called": _("%(number)s answers."),
    "called.no_answer": _("%(number)s did not answer."),
    "called.busy": _("%(number)s is busy."),
    "called.failed": _("The call to %(number)s failed."),
    # Run-time guards
    "guard.loop": _(
        "The call came back to the element “%(label)s” without the caller pressing any key: the PBX stops the loop "
        "and hangs up."
    ),
    "guard.forward_loop": _(
        "Forwarding would go round in a loop (%(chain)s): extension %(target)s already rang, so it is not rung again."
    ),
    "guard.step_limit": _("The call went through %(limit)s steps without ending: the PBX stops it and hangs up."),
    "end.no_route": _("The PBX has nowhere to send the call: hang up."),
}

STEP_TITLES = {
    StepKind.CALL: _("The call starts"),
    StepKind.ROUTE: _("Routing decision"),
    StepKind.PLAY: _("Announcement"),
    StepKind.IVR: _("IVR menu"),
    StepKind.TIME: _("Time condition"),
    StepKind.RING: _("Ringing"),
    StepKind.QUEUE: _("Queue"),
    StepKind.CHECK: _("Checked"),
    StepKind.FEATURE: _("Feature code"),
    StepKind.ANSWERED: _("Answered"),
    StepKind.VOICEMAIL: _("Voicemail"),
    StepKind.HANGUP: _("Hang-up"),
    StepKind.REFUSED: _("Refused"),
}

OUTCOME_TITLES = {
    StepKind.ANSWERED: _("The call is answered"),
    StepKind.VOICEMAIL: _("The call ends in voicemail"),
    StepKind.HANGUP: _("The call ends without an answer"),
    StepKind.REFUSED: _("The call is refused"),
}

WEEKDAYS = {
    "mon": _("a Monday"),
    "tue": _("a Tuesday"),
    "wed": _("a Wednesday"),
    "thu": _("a Thursday"),
    "fri": _("a Friday"),
    "sat": _("a Saturday"),
    "sun": _("a Sunday"),
}

CONDITIONS = {
    "no_answer": _("nobody answered in time"),
    "busy": _("the line was busy"),
    "unavailable": _("the phone was unavailable"),
}

STRATEGIES = {  # the queue form's own labels of the ring strategies
    "ringall": _("Ring all"),
    "linear": _("In order"),
    "leastrecent": _("Longest idle"),
    "rrmemory": _("Round robin"),
}

EXITS = {
    "next": _("next step"),
    "timeout": _("no choice"),
    "invalid": _("wrong choice"),
    "matched": _("within hours"),
    "unmatched": _("outside hours"),
    "failed": _("call failed"),
    **CONDITIONS,
}
QUEUE_TIMEOUT_EXIT = _("wait exceeded")

QUESTIONS = {
    QuestionKind.EXTENSION: _("Does extension %(extension)s answer?"),
    QuestionKind.EXTERNAL: _("Does the external number %(number)s answer?"),
    QuestionKind.CALLED: _("Does %(number)s answer?"),
    QuestionKind.IVR: _("Which key does the caller press in the menu “%(label)s”?"),
    QuestionKind.QUEUE: _("Who answers in the queue %(queue)s?"),
    QuestionKind.PIN: _("Does the caller enter the right PIN?"),
    QuestionKind.TARGET: _("Which number does the caller enter at the service number?"),
}

OPTIONS = {
    QuestionKind.EXTENSION: {
        Reply.ANSWER: _("Answers the call"),
        Reply.NO_ANSWER: _("Does not answer"),
        Reply.BUSY: _("Busy (in another call)"),
        Reply.UNAVAILABLE: _("Unavailable (phone off or not registered)"),
    },
    QuestionKind.EXTERNAL: {
        Reply.ANSWER: _("Answers the call"),
        Reply.NO_ANSWER: _("Does not answer"),
        Reply.FAILED: _("Cannot be reached"),
    },
    QuestionKind.CALLED: {
        Reply.ANSWER: _("Answers the call"),
        Reply.NO_ANSWER: _("Does not answer"),
        Reply.BUSY: _("Busy (in another call)"),
        Reply.FAILED: _("Cannot be reached"),
    },
    QuestionKind.IVR: {
        Reply.INVALID: _("Presses a key that is not an option"),
        Reply.TIMEOUT: _("Presses nothing"),
    },
    QuestionKind.QUEUE: {Reply.NOBODY: _("Nobody (all agents busy or not answering)")},
    QuestionKind.PIN: {Reply.CORRECT: _("Right PIN"), Reply.WRONG: _("Wrong PIN")},
    QuestionKind.TARGET: {
        "+48600100200": _("A Polish mobile (+48 600 100 200)"),
        "+493012345678": _("A number in Germany (+49 30 12345678)"),
        "+8613812345678": _("A mobile in China (+86 138 1234 5678)"),
        Reply.TIMEOUT: _("Nothing (no # pressed)"),
    },
}

ELEMENT_KINDS = {
    "announcement": _("Announcement"),
    "ivr": _("IVR menu"),
    "time_condition": _("Time condition"),
    "queue": _("Queue"),
    "extension": _("Extension"),
    "external": _("External number"),
    "voicemail": _("Voicemail"),
    "conference": _("Teleconference"),
    "hangup": _("Hang up"),
}

KEY_LABEL = _("Key %(digit)s")
REPEATED_QUESTION = _("%(question)s (time %(occurrence)s)")
WITHHELD = _("a withheld number")
NO_HOURS = _("none set")
COST = _(" The call costs %(price)s (%(destination)s) by your tariff.")
TEXT = _(" It says: “%(text)s”.")
SYSTEM_GREETING = _("the system announcement")
OWN_GREETING = _("your own recording")
OWN_LIMIT = _("the extension's own maximum rate")
GLOBAL_LIMIT = _("the global maximum rate")
PER_MINUTE = _("%(amount)s zł/min")
QUEUE_GREETING = _(" The caller hears the welcome announcement.")
QUEUE_POSITION = _(" The caller hears the position in the queue.")

_NUMBER_KEYS = ("did", "caller", "number", "shown")


def _number(value: str, translate: Translate) -> str:
    """A number for people; a CLIP prefix in front ("INF +48600100200") is kept and the number formatted."""
    if not value:
        return translate(WITHHELD)
    prefix, _space, number = value.rpartition(" ")
    return f"{prefix} {format_number(number)}" if prefix else format_number(number)


def _rate(value: Decimal | None, money: Callable[[Decimal], str], translate: Translate) -> str:
    return translate(PER_MINUTE) % {"amount": money(value)} if value is not None else ""


def render_step(step: Step, translate: Translate = _identity, money: Callable[[Decimal], str] = _plain_money) -> str:
    """The reason of one step as a sentence."""
    template = REASONS.get(step.code)
    if template is None:
        return step.code
    params = _format_params(step.params, translate, money)
    if step.code == "queue.enter":
        return translate(template) % params + _queue_extras(step.params, translate)
    try:
        return translate(template) % params
    except (KeyError, TypeError, ValueError):
        return template % params


def _queue_extras(params: Mapping[str, Any], translate: Translate) -> str:
    extras = ""
    if params.get("greeting") == "system":
        extras += translate(QUEUE_GREETING)
    if params.get("announce_position"):
        extras += translate(QUEUE_POSITION)
    return extras


def _format_params(params: Mapping[str, Any], translate: Translate, money: Callable[[Decimal], str]) -> dict:
    formatted: dict[str, Any] = dict(params)
    for key in _NUMBER_KEYS:
        if key in params:
            formatted[key] = _number(params[key] or "", translate)
    if "label" in params and not params["label"]:
        formatted["label"] = translate(ELEMENT_KINDS.get(params.get("element"), _("scheme element")))
    at = params.get("at")
    if isinstance(at, datetime):
        formatted["at"] = at.strftime("%Y-%m-%d %H:%M")
    if "weekday" in params:
        formatted["weekday"] = translate(WEEKDAYS.get(params["weekday"], params["weekday"]))
    if "hours" in params:
        hours = params["hours"] or ()
        formatted["hours"] = ", ".join(f"{start}–{end}" for start, end in hours) or translate(NO_HOURS)
    if params.get("interval"):
        formatted["interval"] = "{}–{}".format(*params["interval"])
    if params.get("holiday"):
        formatted["holiday"] = translate(params["holiday"])
    if "condition" in params:
        formatted["condition"] = translate(CONDITIONS.get(params["condition"], params["condition"]))
    if "strategy" in params:
        formatted["strategy"] = translate(STRATEGIES.get(params["strategy"], params["strategy"]))
    if "agents" in params:
        formatted["agents"] = ", ".join(params["agents"])
    if params.get("exit") == "timeout" and params.get("element") == "queue":
        formatted["exit"] = translate(QUEUE_TIMEOUT_EXIT)
    elif "exit" in params:
        exit_name = params["exit"]
        formatted["exit"] = (
            translate(KEY_LABEL) % {"digit": exit_name}
            if len(exit_name) == 1
            else (translate(EXITS.get(exit_name, exit_name)))
        )
    if "options" in params:
        formatted["options"] = ", ".join(params["options"]) or translate(NO_HOURS)
    if "price" in params:
        formatted["price"] = _rate(params["price"], money, translate)
        formatted["cost"] = (
            translate(COST) % {"price": formatted["price"], "destination": params.get("destination", "")}
            if params["price"] is not None
            else ""
        )
    if "limit" in params:
        formatted["limit"] = _rate(params["limit"], money, translate)
        formatted["limit_kind"] = translate(OWN_LIMIT if params.get("own") else GLOBAL_LIMIT)
    if "greeting" in params:
        formatted["greeting"] = translate(SYSTEM_GREETING if params["greeting"] == "system" else OWN_GREETING)
    if "text" in params:
        formatted["text"] = translate(TEXT) % {"text": params["text"]} if params["text"] else ""
    return formatted


def element_label(node: Mapping[str, Any], node_id: str, translate: Translate = _identity) -> str:
    """How the tracer names a scheme element: its label, or its kind when it has none."""
    label = node.get("label") if isinstance(node, Mapping) else None
    if label:
        return str(label)
    kind = node.get("type") if isinstance(node, Mapping) else None
    return translate(ELEMENT_KINDS[kind]) if kind in ELEMENT_KINDS else node_id


def step_title(step: Step, translate: Translate = _identity) -> str:
    return translate(STEP_TITLES.get(step.kind, step.kind))


def outcome_title(kind: str, translate: Translate = _identity) -> str:
    return translate(OUTCOME_TITLES.get(kind, kind))


def question_label(question: Question, translate: Translate = _identity) -> str:
    params = {key: value for key, value in question.params.items() if isinstance(value, str)}
    if question.kind == QuestionKind.IVR and not params.get("label"):
        params["label"] = translate(ELEMENT_KINDS["ivr"])
    if "number" in params:
        params["number"] = format_number(params["number"])
    text = translate(QUESTIONS.get(question.kind, question.key)) % params
    if question.occurrence > 1:
        text = translate(REPEATED_QUESTION) % {"question": text, "occurrence": question.occurrence}
    return text


def option_label(question: Question, option: str, translate: Translate = _identity) -> str:
    labels = OPTIONS.get(question.kind, {})
    if option in labels:
        return translate(labels[option])
    if question.kind == QuestionKind.IVR:
        return translate(KEY_LABEL) % {"digit": option}
    if question.kind == QuestionKind.QUEUE:
        return dict(question.params.get("agents", ())).get(option, option)
    return option
