"""HA1 digest hashes (pbx/digest.py): the only form in which a SIP password is kept."""

import hashlib

import pytest

from pbx import digest

pytestmark = pytest.mark.smoke


def test_rfc_2617_example_vector():
    # RFC 2617 section 3.5: Mufasa / testrealm@host.com / "Circle Of Life".
    assert (
        digest.ha1_md5(username="Mufasa", realm="testrealm@host.com", password="Circle Of Life")
        == "939e7578ed9e3c518a452acee763bce9"
    )


def test_md5_and_sha256_match_an_independent_computation():
    a1 = b"firmaabcde_10:centrala.local:Tajne5hasloX"
    hashes = digest.digest_hashes(username="firmaabcde_10", realm="centrala.local", password="Tajne5hasloX")
    assert hashes.md5 == hashlib.md5(a1).hexdigest()  # noqa: S324
    assert hashes.sha256 == hashlib.sha256(a1).hexdigest()
    assert len(hashes.md5) == 32 and len(hashes.sha256) == 64


def test_non_ascii_passwords_are_hashed_as_utf8():
    expected = hashlib.sha256("u:r:Zażółć123".encode()).hexdigest()
    assert digest.ha1_sha256(username="u", realm="r", password="Zażółć123") == expected


def test_every_part_changes_the_hash():
    base = digest.ha1_md5(username="firmaabcde_10", realm="centrala.local", password="Tajne5hasloX")
    assert digest.ha1_md5(username="firmaabcde_11", realm="centrala.local", password="Tajne5hasloX") != base
    assert digest.ha1_md5(username="firmaabcde_10", realm="other.realm", password="Tajne5hasloX") != base
    assert digest.ha1_md5(username="firmaabcde_10", realm="centrala.local", password="Tajne5hasloY") != base
