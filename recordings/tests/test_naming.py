"""Folder and file name of a recording: Polish local time, digits only, `_2` for a second one."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from recordings.naming import (
    number_for_file_name,
    numbered_name,
    recording_file_name,
    recording_folder,
    recording_relative_path,
    to_local,
)

pytestmark = pytest.mark.smoke


def test_file_name_has_local_date_time_direction_and_digits_only():
    local = datetime(2026, 5, 4, 13, 5, 9)
    name = recording_file_name(started_at_local=local, direction="out", caller="+48 601 234 567", callee="10")
    assert name == "2026-05-04_13-05-09_out_48601234567_10.mp3"


@pytest.mark.parametrize("direction", ["in", "out", "local"])
def test_every_direction_is_written_as_is(direction):
    name = recording_file_name(
        started_at_local=datetime(2026, 1, 2, 3, 4, 5), direction=direction, caller="1", callee="2"
    )
    assert f"_{direction}_1_2.mp3" in name


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        recording_file_name(started_at_local=datetime(2026, 1, 2), direction="fax", caller="1", callee="2")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+48221234567", "48221234567"),
        ("0048 22 123-45-67", "0048221234567"),
        ("", "unknown"),
        (None, "unknown"),
        ("anonymous", "unknown"),
        ("*98", "98"),
    ],
)
def test_numbers_keep_only_digits(number, expected):
    assert number_for_file_name(number) == expected


def test_summer_time_day_call_at_0230_utc_is_0430_local():
    # 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 02:30 UTC is 04:30 in Warsaw.
    path = recording_relative_path(
        prefix="firmaabcde",
        started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
        direction="in",
        caller="+48221234567",
        callee="10",
    )
    assert path == "firmaabcde/2026/03/29/2026-03-29_04-30-00_in_48221234567_10.mp3"


def test_just_before_the_switch_is_still_winter_time():
    assert to_local(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)).strftime("%H:%M") == "01:30"


def test_autumn_back_switch_gives_two_calls_the_same_name():
    # 2026-10-25: 02:30 happens twice (CEST, then CET); the storage adds _2 to the second file.
    first = to_local(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = to_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    names = {recording_file_name(started_at_local=t, direction="in", caller="1", callee="2") for t in (first, second)}
    assert names == {"2026-10-25_02-30-00_in_1_2.mp3"}


def test_folder_follows_the_local_day_not_the_utc_day():
    new_year = to_local(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert recording_folder(new_year) == "2027/01/01"
    other_zone = datetime(2026, 7, 1, 0, 15, tzinfo=timezone(timedelta(hours=5)))  # 2026-06-30 21:15 in Warsaw
    assert recording_folder(to_local(other_zone)) == "2026/06/30"


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        recording_relative_path(prefix="firma", started_at=datetime(2026, 1, 1), direction="in", caller="1", callee="2")


def test_numbered_names():
    assert numbered_name("a.mp3", 1) == "a.mp3"
    assert numbered_name("a.mp3", 2) == "a_2.mp3"
    assert numbered_name("a.b.mp3", 3) == "a.b_3.mp3"
    assert numbered_name("noext", 2) == "noext_2"
