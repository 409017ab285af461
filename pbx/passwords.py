"""Strength rules for SIP account passwords. Plain Python, no Django.

A SIP password is typed once into a phone and guessed by scanners all day
long, so it must be long and must not be derived from what an attacker
already sees (the SIP user name `<prefix>_<extension>`).
"""

from __future__ import annotations

import secrets

from pbx.constants import SIP_PASSWORD_MIN_LENGTH as MIN_LENGTH

TOO_SHORT = "too_short"
NO_LETTER = "no_letter"
NO_DIGIT = "no_digit"
CONTAINS_USERNAME = "contains_username"
CONTAINS_EXTENSION = "contains_extension"

# No look-alikes (0/O, 1/l/I), so a password read off the screen can be typed into a desk phone.
GENERATOR_LETTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
GENERATOR_DIGITS = "23456789"


def password_problems(password: str, *, username: str = "", extension: str = "") -> list[str]:
    """The rules `password` breaks, as codes (an empty list: the password is strong enough)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if not any(char.isalpha() for char in password):
        problems.append(NO_LETTER)
    if not any(char.isdigit() for char in password):
        problems.append(NO_DIGIT)
    lowered = password.casefold()
    if username and username.casefold() in lowered:
        problems.append(CONTAINS_USERNAME)
    if extension and extension in password:
        problems.append(CONTAINS_EXTENSION)
    return problems


def generate_password(*, length: int = 16, username: str = "", extension: str = "") -> str:
    """A random password that passes `password_problems` (the browser has its own copy of this)."""
    if length < MIN_LENGTH:
        raise ValueError(f"length must be at least {MIN_LENGTH}")
    alphabet = GENERATOR_LETTERS + GENERATOR_DIGITS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(candidate, username=username, extension=extension):
            return candidate
