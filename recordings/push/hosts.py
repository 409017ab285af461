"""Which servers a push may reach: a valid host name or IP address, and only public addresses.

The customer types the host, and our servers connect to it, so a host that
leads to our own network (loopback, private ranges, link-local, ...) would let
a customer probe it. Such addresses are refused twice: when the form is saved
(an IP typed directly) and right before connecting (whatever the name resolves
to, so a DNS name pointing inside is caught as well). Development and tests
connect to 127.0.0.1 on purpose: `PUSH_ALLOW_PRIVATE_TARGETS` (default: on
when DEBUG or TESTING) lets them.

Everything except `private_targets_allowed` is plain Python with no Django.
"""

from __future__ import annotations

import ipaddress
import re

MAX_HOST_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class HostError(ValueError):
    """A host that is refused; `code` is `empty`, `invalid` or `private`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def private_targets_allowed() -> bool:
    """settings.PUSH_ALLOW_PRIVATE_TARGETS; unset: on in development and tests, off in production."""
    from django.conf import settings

    default = settings.DEBUG or getattr(settings, "TESTING", False)
    return bool(getattr(settings, "PUSH_ALLOW_PRIVATE_TARGETS", default))


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address if `host` is an IP literal (IPv6 also in brackets), else None."""
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable unicast address; loopback, private, link-local, CGNAT, multicast... are not."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public_address(mapped)
    return address.is_global and not address.is_multicast


def address_allowed(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool) -> bool:
    """Whether a connection to `address` (an IP) may be opened."""
    if isinstance(address, str):
        parsed = parse_ip(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is never public anyway
        if parsed is None:
            return False
        address = parsed
    return allow_private or is_public_address(address)


def validate_host(host: str, *, allow_private: bool) -> str:
    """The host in its canonical form (lowercase name, IDN in punycode, IP without brackets), or HostError."""
    host = (host or "").strip()
    if not host:
        raise HostError("empty")
    address = parse_ip(host)
    if address is not None:
        if not address_allowed(address, allow_private=allow_private):
            raise HostError("private")
        return str(address)
    name = host.lower().rstrip(".")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise HostError("invalid") from None
    labels = name.split(".")
    if len(name) > MAX_HOST_LENGTH or not all(_LABEL.match(label) for label in labels):
        raise HostError("invalid")
    if labels[-1].isdigit():  # "10.1" or "999.1.1.1": not a name, not a valid address
        raise HostError("invalid")
    if not allow_private and (name == "localhost" or name.endswith((".localhost", ".local", ".internal"))):
        raise HostError("private")
    return name
