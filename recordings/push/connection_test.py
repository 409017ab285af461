""" "Testuj połączenie": every step a person would check, each with ok / failed and a plain explanation.

Name look-up (DNS), connection, encryption (TLS for FTPS, the SSH handshake
and host key for SFTP), log-in, and write permission: the target folder is
created if missing, a small test file is written, its size checked, and the
file removed again. The whole test is over within 15 seconds: every socket
operation gets only the time that is left.
"""

from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recordings.push.choices import PushProtocol
from recordings.push.paths import remote_file_path
from recordings.push.transports import (
    STEP_CONNECT,
    STEP_DNS,
    STEP_LOGIN,
    STEP_TLS,
    STEP_WRITE,
    Deadline,
    Endpoint,
    HostKeyChanged,
    PushError,
    open_transport,
)

TEST_SECONDS = 15
TEST_CONTENT = b"Centrala: connection test file. It is removed right away; you may delete it if you see it.\n"

OK, FAILED, SKIPPED, NOT_CHECKED = "ok", "failed", "skipped", "not_checked"
STEP_LABELS = {
    STEP_DNS: gettext_lazy("Server name look-up (DNS)"),
    STEP_CONNECT: gettext_lazy("Connection to the server"),
    STEP_TLS: gettext_lazy("Encryption (TLS)"),
    STEP_LOGIN: gettext_lazy("Log-in"),
    STEP_WRITE: gettext_lazy("Write permission (test file)"),
}
SSH_LABEL = gettext_lazy("Encryption (SSH) and the server's key")


@dataclass
class StepResult:
    key: str
    label: str
    status: str = NOT_CHECKED
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass
class ConnectionTestResult:
    """What the test found; `fingerprint` is the SFTP server's key, `host_key_changed` set when it differs."""

    steps: list[StepResult]
    fingerprint: str = ""
    host_key_changed: HostKeyChanged | None = None
    elapsed: float = 0.0
    folder: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.status in (OK, SKIPPED) for step in self.steps)


def run_connection_test(endpoint: Endpoint, *, folder: str, seconds: float = TEST_SECONDS) -> ConnectionTestResult:
    """Try the whole way to `folder` on the server and back; never raises for anything the server does."""
    started = time.monotonic()
    steps = {key: StepResult(key, str(label)) for key, label in STEP_LABELS.items()}
    if endpoint.protocol == PushProtocol.SFTP:
        steps[STEP_TLS].label = str(SSH_LABEL)
    elif endpoint.protocol == PushProtocol.FTP:
        steps[STEP_TLS].status = SKIPPED
        steps[STEP_TLS].detail = _("Plain FTP: the password and the recordings travel unencrypted.")
    result = ConnectionTestResult(steps=list(steps.values()), folder=folder)

    def report(step: str, ok: bool, detail: str) -> None:
        if step in steps:
            steps[step].status = OK if ok else FAILED
            steps[step].detail = detail

    deadline = Deadline(total=seconds, per_operation=seconds)
    try:
        with open_transport(endpoint, deadline=deadline, report=report) as transport:
            result.fingerprint = transport.fingerprint
            try:
                _write_test_file(transport, folder)
            except PushError as error:
                report(STEP_WRITE, False, error.message)
            else:
                report(
                    STEP_WRITE,
                    True,
                    _("A test file was written to %(folder)s and removed again.") % {"folder": folder},
                )
    except HostKeyChanged as error:
        result.host_key_changed = error
        result.fingerprint = error.offered
    except PushError:
        pass  # already reported on its step
    result.elapsed = time.monotonic() - started
    return result


def _write_test_file(transport, folder: str) -> None:
    transport.ensure_folder(folder)
    path = remote_file_path(folder, f".centrala-test-{secrets.token_hex(4)}.txt")
    transport.upload(io.BytesIO(TEST_CONTENT), path)
    size = transport.remote_size(path)
    if size != len(TEST_CONTENT):
        transport.delete(path)
        raise PushError(
            STEP_WRITE,
            _("The test file was written, but the server reports %(size)s bytes instead of %(expected)s.")
            % {"size": size, "expected": len(TEST_CONTENT)},
        )
    if not transport.delete(path):
        raise PushError(
            STEP_WRITE,
            _("The test file %(path)s was written but cannot be removed: the push needs to delete its temporary files.")
            % {"path": path},
        )
