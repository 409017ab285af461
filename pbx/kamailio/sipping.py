"""A minimal SIP OPTIONS client over UDP: "is anybody there?" for Kamailio and, through it, for phones.

Plain Python, no Django. It sends one OPTIONS request, retransmits it as
RFC 3261 asks of a UDP client (every 0.5 s, doubling, at most 4 s apart)
and returns the first final response, or None when none came in time.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import time
from dataclasses import dataclass

T1 = 0.5
T2 = 4.0


@dataclass(frozen=True)
class SipResponse:
    status: int
    reason: str
    headers: dict[str, str]


def _request(*, uri: str, local: tuple[str, int], headers: dict[str, str]) -> tuple[bytes, str]:
    call_id = f"{secrets.token_hex(8)}@centrala"
    branch = f"z9hG4bK{secrets.token_hex(8)}"
    local_host, local_port = local
    lines = [
        f"OPTIONS {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {local_host}:{local_port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:monitor@{local_host}>;tag={secrets.token_hex(4)}",
        f"To: <{uri}>",
        f"Call-ID: {call_id}",
        "CSeq: 1 OPTIONS",
        "Accept: application/sdp",
        "User-Agent: Centrala monitor",
        *(f"{name}: {value}" for name, value in headers.items()),
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode(), call_id


def parse_response(data: bytes) -> SipResponse | None:
    """The status line and headers of a SIP response (None for anything else)."""
    try:
        text = data.decode("utf-8", errors="replace")
        head = text.split("\r\n\r\n", 1)[0]
        status_line, *header_lines = head.split("\r\n")
        version, status, *reason = status_line.split(" ", 2)
        if version != "SIP/2.0":
            return None
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        return SipResponse(status=int(status), reason=reason[0] if reason else "", headers=headers)
    except (ValueError, IndexError):
        return None


def options(
    host: str, port: int, *, user: str = "", timeout: float = 4.0, headers: dict[str, str] | None = None
) -> SipResponse | None:
    """Send OPTIONS to sip:[user@]host:port over UDP; the final response, or None after `timeout` seconds."""
    uri = f"sip:{user + '@' if user else ''}{host}:{port}"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        local_host, local_port = sock.getsockname()[:2]
        message, call_id = _request(uri=uri, local=(local_host, local_port), headers=headers or {})
        deadline = time.monotonic() + timeout
        interval = T1
        next_send = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            if now >= next_send:
                # An OSError is e.g. ICMP "port unreachable" from an earlier attempt: keep trying until the deadline.
                with contextlib.suppress(OSError):
                    sock.send(message)
                next_send = now + interval
                interval = min(interval * 2, T2)
            sock.settimeout(max(0.01, min(next_send, deadline) - time.monotonic()))
            try:
                data = sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                time.sleep(0.05)  # nothing listens there (yet)
                continue
            response = parse_response(data)
            if response and response.status >= 200 and response.headers.get("call-id") == call_id:
                return response


def wait_until_answering(host: str, port: int, *, timeout: float = 10.0, alive=lambda: True) -> bool:
    """Poll a SIP server with OPTIONS until it answers (True) or `timeout` passes or `alive()` says stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        if options(host, port, timeout=min(1.0, max(0.1, deadline - time.monotonic()))):
            return True
    return False
