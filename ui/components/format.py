"""How the dashboard writes times: UTC, to the minute (the server's clock; no browser zone)."""

from __future__ import annotations

from datetime import UTC, datetime


def when(moment: datetime | None, empty: str = "—") -> str:
    if moment is None:
        return empty
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day(moment: datetime | None, empty: str = "—") -> str:
    if moment is None:
        return empty
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d")
