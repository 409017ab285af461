"""One connection to the customer's server: FTP and FTPS with ftplib, SFTP with paramiko.

`open_transport(endpoint, deadline=...)` goes through the steps a person
would check by hand (name look-up, connection, encryption, log-in), reports
each to an optional callback, and returns a `Transport` with the few
operations a push needs: create folders, ask a file's size, upload, rename,
delete and (SFTP, where the server offers it) compare a checksum.

- `base`: what every protocol shares (`PushError`, `Deadline`, `Endpoint`, the look-up and connection
  steps, the `Transport` interface);
- `ftp`: FTP and FTPS (`FtpTransport`);
- `sftp`: SFTP (`SftpTransport`), the server key and the customer's private key.

Every socket operation has a timeout taken from a `Deadline`: the connection
test gives the whole conversation 15 seconds, the push a fixed time per
operation. Every failure becomes a `PushError` that names the step and says
in plain words what went wrong; `permanent` marks errors that retrying within
the same night cannot fix (wrong password, a changed server key).
Callers import from the package: `__all__` below is its API.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from recordings.push.choices import PushProtocol
from recordings.push.transports.base import (
    STEP_CONNECT,
    STEP_DNS,
    STEP_FOLDER,
    STEP_LOGIN,
    STEP_RENAME,
    STEP_TLS,
    STEP_UPLOAD,
    STEP_VERIFY,
    STEP_WRITE,
    Deadline,
    Endpoint,
    PushError,
    StepReport,
    Transport,
    _Steps,
    connect_socket,
    resolve,
)
from recordings.push.transports.ftp import FtpTransport, _ftp_greeting, _ftp_secure_and_log_in
from recordings.push.transports.sftp import (
    HostKeyChanged,
    PrivateKeyError,
    SftpTransport,
    _open_sftp,
    host_key_fingerprint,
    load_private_key,
)

__all__ = [
    "STEP_CONNECT",
    "STEP_DNS",
    "STEP_FOLDER",
    "STEP_LOGIN",
    "STEP_RENAME",
    "STEP_TLS",
    "STEP_UPLOAD",
    "STEP_VERIFY",
    "STEP_WRITE",
    "Deadline",
    "Endpoint",
    "FtpTransport",
    "HostKeyChanged",
    "PrivateKeyError",
    "PushError",
    "SftpTransport",
    "StepReport",
    "Transport",
    "host_key_fingerprint",
    "load_private_key",
    "open_transport",
]


def open_transport(endpoint: Endpoint, *, deadline: Deadline, report: StepReport | None = None) -> Transport:
    """Resolve, connect, encrypt and log in; PushError names the step that failed."""
    steps = _Steps(report)
    with steps.step(STEP_DNS) as result:
        addresses = resolve(
            endpoint.host, endpoint.port, timeout=deadline.timeout(STEP_DNS), allow_private=endpoint.allow_private
        )
        result["detail"] = ", ".join(dict.fromkeys(str(info[4][0]) for info in addresses))
    with steps.step(STEP_CONNECT) as result:
        sock = connect_socket(addresses, port=endpoint.port, timeout=deadline.timeout(STEP_CONNECT))
        result["detail"] = _("%(address)s, port %(port)s") % {"address": sock.getpeername()[0], "port": endpoint.port}
        if endpoint.protocol != PushProtocol.SFTP:
            transport = _ftp_greeting(endpoint, sock, deadline)
    if endpoint.protocol == PushProtocol.SFTP:
        try:
            return _open_sftp(endpoint, sock, deadline, steps)
        except BaseException:
            sock.close()
            raise
    try:
        _ftp_secure_and_log_in(transport, endpoint, steps)
    except BaseException:
        transport.close()
        raise
    return transport
