"""A self-signed certificate for explicit FTPS in development (`runftpserver --tls` with DEBUG on)."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _subject_names(hostnames: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", "127.0.0.1", *hostnames]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def generate_self_signed_certificate(
    certfile: str | os.PathLike, keyfile: str | os.PathLike, *, hostnames: list[str] | None = None, days: int = 825
) -> None:
    """Write a new self-signed certificate and its private key (EC P-256: fast TLS handshakes).

    The certificate names localhost, 127.0.0.1 and `hostnames`, so a client
    given it as its CA file (`curl --cacert cert.pem`) can verify the server.
    The key file is readable by its owner only.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    hostnames = [host for host in (hostnames or []) if host]
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Centrala (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0] if hostnames else "localhost"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(_subject_names(hostnames)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = Path(certfile), Path(keyfile)
    certfile.parent.mkdir(parents=True, exist_ok=True)
    keyfile.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def ensure_certificate(certfile: str | os.PathLike, keyfile: str | os.PathLike, *, hostnames: list[str]) -> bool:
    """Generate the pair if either file is missing; True if it did."""
    if Path(certfile).is_file() and Path(keyfile).is_file():
        return False
    generate_self_signed_certificate(certfile, keyfile, hostnames=hostnames)
    return True
