"""Business hours: a timezone-aware week grid (`businessHoursConfig`) and the open/closed test.

Config shape: `{"timezone": "Europe/Berlin", "days": {"mon": [["09:00", "17:00"]], ...}}`.
A range whose end is not after its start runs overnight (`["22:00", "02:00"]`): it covers the
evening of its own day and the early morning of the next, which is how shops write night shifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.workspace_settings import DAYS, WorkspaceSettings


class HoursError(ValueError):
    """The business hours config is malformed; the message says where."""


def _parse_time(value: Any, where: str) -> time:
    if not isinstance(value, str):
        raise HoursError(f'{where}: expected "HH:MM"')
    if value == "24:00":
        return time(23, 59, 59, 999999)
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise HoursError(f"{where}: {value!r} is not HH:MM") from None


@dataclass(frozen=True, slots=True)
class BusinessHours:
    timezone: str
    days: dict[str, tuple[tuple[time, time], ...]]

    @classmethod
    def parse(cls, config: dict[str, Any] | None) -> BusinessHours:
        """Validate and parse; raises HoursError with a precise message."""
        if not isinstance(config, dict):
            raise HoursError("businessHoursConfig must be an object")
        unknown = set(config) - {"timezone", "days"}
        if unknown:
            raise HoursError(f"unknown keys: {', '.join(sorted(unknown))}")
        tz = config.get("timezone", "UTC")
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(f"unknown timezone {tz!r}") from None
        raw_days = config.get("days", {})
        if not isinstance(raw_days, dict):
            raise HoursError("days must be an object keyed by mon..sun")
        days: dict[str, tuple[tuple[time, time], ...]] = {}
        for day, ranges in raw_days.items():
            if day not in DAYS:
                raise HoursError(f"unknown day {day!r} (use {', '.join(DAYS)})")
            if not isinstance(ranges, list):
                raise HoursError(f"days.{day} must be a list of [start, end] pairs")
            parsed = []
            for i, pair in enumerate(ranges):
                where = f"days.{day}[{i}]"
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise HoursError(f"{where}: expected [start, end]")
                start, end = _parse_time(pair[0], where), _parse_time(pair[1], where)
                if start == end:
                    raise HoursError(f"{where}: empty range")
                parsed.append((start, end))
            days[day] = tuple(parsed)
        return cls(str(tz), days)

    def is_open(self, now: datetime) -> bool:
        """True when `now` (any timezone) falls in a range, overnight ranges included."""
        local = now.astimezone(ZoneInfo(self.timezone))
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        t = local.time()
        for start, end in self.days.get(today, ()):
            if (start < end and start <= t < end) or (start > end and t >= start):
                return True
        return any(start > end and t < end for start, end in self.days.get(yesterday, ()))

    def describe(self) -> str:
        """A compact human line for the system prompt, e.g. "mon 09:00-17:00; …"."""
        parts = []
        for day in DAYS:
            ranges = self.days.get(day)
            if ranges:
                spans = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges)
                parts.append(f"{day} {spans}")
        return f"{'; '.join(parts) or 'closed every day'} ({self.timezone})"

    def local_now(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))


def status(settings: WorkspaceSettings, now: datetime) -> tuple[BusinessHours | None, bool]:
    """(hours, outside) for a workspace; disabled or broken config means always open."""
    if not settings.business_hours_enabled:
        return None, False
    try:
        hours = BusinessHours.parse(settings.business_hours_config)
    except (HoursError, ValueError):
        return None, False
    return hours, not hours.is_open(now)
