"""Plain rules of the push: the path template, the local day (daylight saving), which hosts may be reached."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from recordings.naming import LOCAL_ZONE
from recordings.push.days import local_day_bounds, local_day_of, previous_local_day
from recordings.push.hosts import HostError, address_allowed, private_targets_allowed, validate_host
from recordings.push.paths import (
    PathTemplateError,
    expand_path_template,
    folder_parents,
    remote_file_path,
    validate_path_template,
)

pytestmark = pytest.mark.smoke

DAY = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("/nagrania/%Y/%m/%d/", "/nagrania/2026/03/09"),
        ("/nagrania/%Y/%m/%d", "/nagrania/2026/03/09"),
        ("/kopie/{prefix}/%Y-%m-%d", "/kopie/firmaabcde/2026-03-09"),
        ("//a//%d//", "/a/09"),
        ("/", "/"),
        ("/Nagrania rozmów/%Y", "/Nagrania rozmów/2026"),
    ],
)
def test_templates_expand_for_the_recording_day(template, expected):
    assert expand_path_template(template, day=DAY, prefix="firmaabcde") == expected


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("nagrania/%Y", "not_absolute"),
        ("/nagrania/../etc", "dots"),
        ("/nagrania/%Y/..", "dots"),
        ("/a\\b", "characters"),
        ("/a\r\nDELE x", "characters"),
        ("/a/%H", "placeholder"),
        ("/a/%", "placeholder"),
        ("/a/%%Y", "placeholder"),
        ("/a/{customer}", "placeholder"),
        ("/a/{prefix", "placeholder"),
        ("/a/prefix}", "placeholder"),
        ("/" + "a" * 200, "too_long"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(template, code):
    with pytest.raises(PathTemplateError) as refused:
        validate_path_template(template)
    assert refused.value.code == code


def test_a_refused_placeholder_is_named():
    with pytest.raises(PathTemplateError) as refused:
        validate_path_template("/a/%H/%Y")
    assert refused.value.detail == "%H"


def test_folder_helpers():
    assert folder_parents("/a/b/c") == ["/a", "/a/b", "/a/b/c"]
    assert folder_parents("/") == []
    assert remote_file_path("/", "x.mp3") == "/x.mp3"
    assert remote_file_path("/a/b", "x.mp3") == "/a/b/x.mp3"


def test_spring_daylight_saving_day_has_23_hours():
    start, end = local_day_bounds(date(2026, 3, 29))
    assert end - start == timedelta(hours=23)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_autumn_daylight_saving_day_has_25_hours():
    start, end = local_day_bounds(date(2026, 10, 25))
    assert end - start == timedelta(hours=25)
    assert start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)


def test_an_ordinary_day_has_24_hours():
    start, end = local_day_bounds(date(2026, 6, 1))
    assert end - start == timedelta(hours=24)


def test_the_night_push_sends_the_previous_local_day():
    # 00:05 in Warsaw on 30 March is still 29 March in UTC (22:05): the day sent is the 29th.
    assert previous_local_day(datetime(2026, 3, 30, 0, 5, tzinfo=LOCAL_ZONE)) == date(2026, 3, 29)
    assert previous_local_day(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)  # 00:30 CET
    assert local_day_of(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == date(2026, 3, 30)
    with pytest.raises(ValueError):
        local_day_of(datetime(2026, 3, 29, 12, 0))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("FTP.Example.COM", "ftp.example.com"),
        ("backup.example.com.", "backup.example.com"),
        ("1.1.1.1", "1.1.1.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("[2a00:1450:4001::200e]", "2a00:1450:4001::200e"),
        ("nas", "nas"),
    ],
)
def test_valid_hosts(host, expected):
    assert validate_host(host, allow_private=False) == expected


def test_international_names_become_punycode():
    assert validate_host("serwer.łódź.pl", allow_private=False).startswith("serwer.xn--")


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("", "empty"),
        ("bad host", "invalid"),
        ("-bad.example.com", "invalid"),
        ("bad-.example.com", "invalid"),
        ("a" * 64 + ".com", "invalid"),
        ("ftp://example.com", "invalid"),
        ("example.com:21", "invalid"),
        ("999.1.1.1", "invalid"),
        ("10.1", "invalid"),
        ("127.0.0.1", "private"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "private"),
        ("100.64.0.1", "private"),
        ("0.0.0.0", "private"),  # noqa: S104 - a refused host, nothing binds
        ("224.0.0.1", "private"),
        ("::1", "private"),
        ("fe80::1", "private"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "private"),
        ("localhost", "private"),
        ("nas.local", "private"),
    ],
)
def test_invalid_or_private_hosts_are_refused(host, code):
    with pytest.raises(HostError) as refused:
        validate_host(host, allow_private=False)
    assert refused.value.code == code


def test_private_hosts_are_allowed_when_switched_on():
    assert validate_host("127.0.0.1", allow_private=True) == "127.0.0.1"
    assert validate_host("localhost", allow_private=True) == "localhost"
    assert address_allowed("127.0.0.1", allow_private=True)
    assert not address_allowed("127.0.0.1", allow_private=False)
    assert address_allowed("203.0.113.7", allow_private=False) is False  # documentation range: not global
    assert address_allowed("8.8.8.8", allow_private=False)


def test_the_setting_defaults_to_development_and_tests_only(settings):
    settings.DEBUG, settings.TESTING = False, False
    if hasattr(settings, "PUSH_ALLOW_PRIVATE_TARGETS"):
        del settings.PUSH_ALLOW_PRIVATE_TARGETS
    assert private_targets_allowed() is False
    settings.TESTING = True
    assert private_targets_allowed() is True
    settings.PUSH_ALLOW_PRIVATE_TARGETS = False
    assert private_targets_allowed() is False
