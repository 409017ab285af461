"""The dial-in IVR ("Wdzwoń się") as plain Python: what the service number does, prompt by prompt.

Part of the pure routing engine (no Django): the engine walks a call to the
service number with it, and callback's service uses it for real dial-ins.
The PBX feeds the caller's DTMF entries in order (each PIN try, then the
target ended with #). `run_dial_in` answers with the steps (for the call log
and tracing) and the outcome; the service (callback.services.dial_in) then
checks the target and places the call.

    unrecognised caller        → hang up, nothing said
    PIN set                    → "enter the PIN" (3 tries), wrong 3 times → hang up
    "enter the number, then #" → the digits before #; 00 or + (as *) abroad, 9 digits Polish
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pbx.routing.constants import DIAL_IN_PIN_ATTEMPTS


class IvrOutcome:
    HANG_UP_UNKNOWN = "unknown_caller"
    HANG_UP_WRONG_PIN = "wrong_pin"
    NO_TARGET = "no_target"
    TARGET = "target"


class IvrStep:
    PROMPT_PIN = "prompt_pin"
    PIN_WRONG = "pin_wrong"
    PIN_OK = "pin_ok"
    PROMPT_TARGET = "prompt_target"
    HANG_UP = "hang_up"


@dataclass
class IvrResult:
    outcome: str
    steps: list[str] = field(default_factory=list)
    wrong_pins: int = 0
    target: str = ""  # what was typed before #; "*" at the start stands for + (a phone keypad has no +)


def run_dial_in(*, recognised: bool, pin: str, entries: Iterable[str]) -> IvrResult:
    """Walk the IVR for one call: `pin` is the authorized number's PIN ("" when none), `entries` the caller's DTMF."""
    result = IvrResult(IvrOutcome.HANG_UP_UNKNOWN)
    if not recognised:
        result.steps.append(IvrStep.HANG_UP)
        return result
    entries = iter(entries)
    if pin:
        for _ in range(DIAL_IN_PIN_ATTEMPTS):
            result.steps.append(IvrStep.PROMPT_PIN)
            entry = next(entries, "").removesuffix("#")
            if entry == pin:
                result.steps.append(IvrStep.PIN_OK)
                break
            result.wrong_pins += 1
            result.steps.append(IvrStep.PIN_WRONG)
        else:
            result.outcome = IvrOutcome.HANG_UP_WRONG_PIN
            result.steps.append(IvrStep.HANG_UP)
            return result
    result.steps.append(IvrStep.PROMPT_TARGET)
    entry = next(entries, "")
    if not entry.endswith("#") or len(entry) < 2:
        result.outcome = IvrOutcome.NO_TARGET
        result.steps.append(IvrStep.HANG_UP)
        return result
    digits = entry.removesuffix("#")
    result.target = "+" + digits[1:] if digits.startswith("*") else digits
    result.outcome = IvrOutcome.TARGET
    return result
