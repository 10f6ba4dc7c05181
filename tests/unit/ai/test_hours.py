from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.ai.hours import BusinessHours, HoursError, status
from app.db.repos.workspace_settings import from_row
from app.domain.workspace_settings import WorkspaceSettings

GRID = {
    "timezone": "Asia/Kolkata",
    "days": {
        "mon": [["09:00", "13:00"], ["14:00", "18:00"]],
        "fri": [["22:00", "02:00"]],  # overnight into Saturday
    },
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_inside_and_outside_in_the_workspace_timezone() -> None:
    hours = BusinessHours.parse(GRID)
    # Monday 2026-11-23 04:00 UTC = 09:30 IST: open
    assert hours.is_open(utc(2026, 11, 23, 4, 0))
    # 08:00 UTC = 13:30 IST: lunch break
    assert not hours.is_open(utc(2026, 11, 23, 8, 0))
    # 03:00 UTC = 08:30 IST: before opening, although 09:00 "UTC" would be open
    assert not hours.is_open(utc(2026, 11, 23, 3, 0))
    # Tuesday: no ranges at all
    assert not hours.is_open(utc(2026, 11, 24, 6, 0))


def test_overnight_range_spans_midnight() -> None:
    hours = BusinessHours.parse(GRID)
    assert hours.is_open(utc(2026, 11, 27, 17, 0))  # Fri 22:30 IST
    assert hours.is_open(utc(2026, 11, 27, 19, 30))  # Sat 01:00 IST
    assert not hours.is_open(utc(2026, 11, 27, 21, 0))  # Sat 02:30 IST
    assert not hours.is_open(utc(2026, 11, 27, 16, 0))  # Fri 21:30 IST


def test_24_hours_and_describe() -> None:
    hours = BusinessHours.parse({"timezone": "UTC", "days": {"sun": [["00:00", "24:00"]]}})
    assert hours.is_open(utc(2026, 11, 29, 23, 59))
    assert hours.describe() == "sun 00:00-23:59 (UTC)"


@pytest.mark.parametrize(
    "config, message",
    [
        ({"timezone": "Mars/Olympus", "days": {}}, "unknown timezone"),
        ({"timezone": "UTC", "days": {"monday": []}}, "unknown day"),
        ({"timezone": "UTC", "days": {"mon": [["9am", "5pm"]]}}, "not HH:MM"),
        ({"timezone": "UTC", "days": {"mon": [["09:00"]]}}, "expected [start, end]"),
        ({"timezone": "UTC", "days": {"mon": [["09:00", "09:00"]]}}, "empty range"),
        ({"timezone": "UTC", "days": {}, "extra": 1}, "unknown keys"),
        ("09-17", "must be an object"),
    ],
)
def test_validation_names_the_problem(config: object, message: str) -> None:
    with pytest.raises(HoursError, match=message.replace("[", r"\[").replace("]", r"\]")):
        BusinessHours.parse(config)  # type: ignore[arg-type]


def test_status_disabled_or_broken_means_open() -> None:
    now = utc(2026, 11, 24, 6, 0)
    off = WorkspaceSettings(business_hours_enabled=False, business_hours_config=GRID)
    assert status(off, now) == (None, False)
    broken = {"business_hours_enabled": 1, "business_hours_config": '{"days": 1}'}  # as stored
    assert status(from_row(broken), now)[1] is False
    not_json = {"business_hours_enabled": 1, "business_hours_config": "x"}
    assert from_row(not_json).business_hours_config is None
    assert status(from_row(not_json), now)[1] is False
    on = WorkspaceSettings(business_hours_enabled=True, business_hours_config=GRID)
    grid, outside = status(on, now)
    assert grid is not None and outside
