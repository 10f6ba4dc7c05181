"""The analytics window and histogram rules (`app/domain/analytics.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import DomainError
from app.domain.analytics import LONGEST_S, Window, duration_edge, percentile

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)  # the day after Berlin moved to summer time


def test_percentiles_are_bucket_edges_and_never_infinite() -> None:
    hist = {duration_edge(s): 0 for s in (1,)}
    for seconds in (3, 8, 25, 25, 9_999_999):
        hist[duration_edge(seconds)] = hist.get(duration_edge(seconds), 0) + 1
    assert percentile(hist, 0.5) == 30.0
    assert percentile(hist, 0.9) == LONGEST_S  # "7 days or more", JSON-safe
    assert percentile({}, 0.5) is None


def test_weeks_start_on_local_monday_across_a_clock_change() -> None:
    window = Window.parse(NOW - timedelta(days=20), NOW, "week", "Europe/Berlin", NOW)
    buckets = window.buckets()
    assert all(b.weekday() == 0 and (b.hour, b.minute) == (0, 0) for b in buckets)
    assert [b.utcoffset() for b in buckets[-2:]] == [timedelta(hours=1), timedelta(hours=2)]


@pytest.mark.parametrize(
    ("start", "end", "interval", "tz"),
    [
        (NOW, NOW - timedelta(hours=1), "day", "UTC"),
        (NOW - timedelta(days=15), NOW, "hour", "UTC"),
        (None, None, "fortnight", "UTC"),
        (None, None, "day", "Nowhere/Town"),
    ],
)
def test_bad_windows_are_refused(start, end, interval, tz) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        Window.parse(start, end, interval, tz, NOW)
