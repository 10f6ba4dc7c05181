"""How the dashboard writes times (UTC, to the minute: the server's clock, no browser zone) and
file sizes."""

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


def size(n: int | None) -> str:
    """Bytes for people: "45 B", "2.0 KB", "74.5 MB" ("?" when unknown)."""
    if n is None:
        return "?"
    amount = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return str(amount)
