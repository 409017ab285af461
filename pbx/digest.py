"""SIP digest credentials: the HA1 hashes a registrar needs instead of the password.

HTTP/SIP digest authentication (RFC 2617 for MD5, RFC 7616 / RFC 8760 for
SHA-256) only ever needs ``H(username ":" realm ":" password)``, so storing
that value lets the PBX authenticate a phone without the password itself.
Plain Python, no Django.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def _a1(username: str, realm: str, password: str) -> bytes:
    return f"{username}:{realm}:{password}".encode()


def ha1_md5(*, username: str, realm: str, password: str) -> str:
    """MD5 HA1 as hex (RFC 2617 section 3.2.2.2); MD5 is what the protocol prescribes."""
    return hashlib.md5(_a1(username, realm, password)).hexdigest()  # noqa: S324 - digest auth requires MD5


def ha1_sha256(*, username: str, realm: str, password: str) -> str:
    """SHA-256 HA1 as hex (RFC 7616 section 3.4.2, used for SIP by RFC 8760)."""
    return hashlib.sha256(_a1(username, realm, password)).hexdigest()


@dataclass(frozen=True)
class DigestHashes:
    md5: str
    sha256: str


def digest_hashes(*, username: str, realm: str, password: str) -> DigestHashes:
    """Both HA1 variants of one credential, as stored on a SIP account."""
    return DigestHashes(
        md5=ha1_md5(username=username, realm=realm, password=password),
        sha256=ha1_sha256(username=username, realm=realm, password=password),
    )
