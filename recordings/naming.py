"""Where a recording lives: folder and file name from the call's start, direction and numbers.

Plain Python with no Django, so the rule can be read and tested on its own.
The folder and the name use the local time of Poland (Europe/Warsaw), which is
what the customer sees on the phone and in the call history; the database
keeps the resulting path, so a name never has to be parsed back.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Warsaw")
DIRECTIONS = ("in", "out", "local")
UNKNOWN_NUMBER = "unknown"
_NOT_DIGITS = re.compile(r"\D")


def number_for_file_name(number: str | None) -> str:
    """Only the digits of a phone number (+48 123 → 48123); "unknown" for a hidden or empty number."""
    digits = _NOT_DIGITS.sub("", number or "")
    return digits[:32] or UNKNOWN_NUMBER


def recording_file_name(*, started_at_local: datetime, direction: str, caller: str, callee: str) -> str:
    """`YYYY-MM-DD_HH-MM-SS_<in|out|local>_<caller>_<callee>.mp3` for a call starting at `started_at_local`."""
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    return "{stamp}_{direction}_{caller}_{callee}.mp3".format(
        stamp=started_at_local.strftime("%Y-%m-%d_%H-%M-%S"),
        direction=direction,
        caller=number_for_file_name(caller),
        callee=number_for_file_name(callee),
    )


def recording_folder(started_at_local: datetime) -> str:
    """`YYYY/MM/DD` of the call's local start."""
    return started_at_local.strftime("%Y/%m/%d")


def to_local(started_at: datetime) -> datetime:
    """The call's start in Polish local time; a naive datetime is refused (it would be ambiguous)."""
    if started_at.tzinfo is None or started_at.utcoffset() is None:
        raise ValueError("started_at must be timezone-aware")
    return started_at.astimezone(LOCAL_ZONE)


def recording_relative_path(*, prefix: str, started_at: datetime, direction: str, caller: str, callee: str) -> str:
    """`<prefix>/YYYY/MM/DD/<file name>`: the path the storage is asked to write (it may add `_2`)."""
    local = to_local(started_at)
    name = recording_file_name(started_at_local=local, direction=direction, caller=caller, callee=callee)
    return f"{prefix}/{recording_folder(local)}/{name}"


def numbered_name(name: str, number: int) -> str:
    """`name.mp3` → `name_2.mp3` for the second recording with the same name (number 1 is the name itself)."""
    if number <= 1:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return f"{name}_{number}"
    return f"{stem}_{number}.{extension}"
