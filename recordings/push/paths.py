"""The target path template: where on the customer's server a day's recordings go.

Plain Python with no Django. A template is an absolute path with the
placeholders `%Y`, `%m`, `%d` (the recording's local day) and `{prefix}` (the
customer's login prefix), e.g. `/nagrania/%Y/%m/%d/`. Nothing else is
expanded, so a template can never smuggle in "..", a control character (an
FTP command injection) or a placeholder that could leave the folder.
"""

from __future__ import annotations

import re
from datetime import date

MAX_TEMPLATE_LENGTH = 200
DEFAULT_TEMPLATE = "/nagrania/%Y/%m/%d/"
PLACEHOLDERS = ("%Y", "%m", "%d", "{prefix}")
_TOKEN = re.compile(r"%.?|\{[^{}]*\}?|\}")


class PathTemplateError(ValueError):
    """A template that is refused; `code` says why (the form turns it into a sentence)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def validate_path_template(template: str) -> str:
    """The template with repeated slashes collapsed, or PathTemplateError.

    Codes: `empty`, `too_long`, `not_absolute`, `characters` (a control
    character or a backslash), `dots` (a ".." part) and `placeholder` (anything
    starting with % or { that is not one of PLACEHOLDERS; `detail` names it).
    """
    template = (template or "").strip()
    if not template:
        raise PathTemplateError("empty")
    if len(template) > MAX_TEMPLATE_LENGTH:
        raise PathTemplateError("too_long")
    if not template.startswith("/"):
        raise PathTemplateError("not_absolute")
    if any(ord(character) < 32 or character == "\x7f" for character in template) or "\\" in template:
        raise PathTemplateError("characters")
    for token in _TOKEN.findall(template):
        if token not in PLACEHOLDERS:
            raise PathTemplateError("placeholder", token)
    if any(part == ".." for part in template.split("/")):
        raise PathTemplateError("dots")
    return re.sub(r"/{2,}", "/", template)


def expand_path_template(template: str, *, day: date, prefix: str) -> str:
    """The folder for recordings of `day`: the validated template expanded, without a trailing slash.

    `/nagrania/%Y/%m/%d/` for 2026-03-29 → `/nagrania/2026/03/29`; the root stays `/`.
    """
    template = validate_path_template(template)
    values = {"%Y": f"{day.year:04d}", "%m": f"{day.month:02d}", "%d": f"{day.day:02d}", "{prefix}": prefix}
    folder = _TOKEN.sub(lambda match: values[match.group(0)], template)
    folder = re.sub(r"/{2,}", "/", folder).rstrip("/")
    return folder or "/"


def remote_file_path(folder: str, name: str) -> str:
    """`folder` + `/` + `name` (the folder may be the root)."""
    return f"{folder.rstrip('/')}/{name}"


def folder_parents(folder: str) -> list[str]:
    """Every folder from the top down to `folder`: `/a/b` → [`/a`, `/a/b`]; the root has none."""
    parts = [part for part in folder.split("/") if part]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]
