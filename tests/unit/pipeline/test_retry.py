"""The retry verdicts: offline waits without moving the ladder, inside the resend window only;
real send failures climb the 2/5/15/30/60 s ladder and end FAILED after six attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db.repos.outbox_jobs import Job
from app.domain.errors import NotFound
from app.pipeline.retry import MAX_ATTEMPTS, Offline, expired, judge

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _job(attempts: int = 0) -> Job:
    return Job("o", "ws", "s", "c", "m", "j@s.whatsapp.net", "hi", attempts, T0)


def test_offline_waits_with_a_growing_delay_and_no_attempt_counted() -> None:
    first = judge(_job(), Offline("disconnected"), T0, DAY)
    assert first.retry_at == T0 + timedelta(seconds=2) and first.attempt is False
    later = T0 + timedelta(hours=2)
    for exc in (ConnectionError("down"), NotFound("session not running")):
        v = judge(_job(), exc, later, DAY)
        assert v.retry_at == later + timedelta(seconds=60) and not v.attempt


def test_offline_past_the_window_gives_up_with_the_reason() -> None:
    v = judge(_job(), Offline("disconnected"), T0 + DAY, DAY)
    assert v.retry_at is None and "24 h resend window" in v.reason and "disconnected" in v.reason
    assert expired(_job(), T0 + DAY - timedelta(seconds=1), DAY) is None
    assert expired(_job(), T0 + DAY, DAY) is not None


def test_send_errors_climb_the_ladder_then_fail() -> None:
    delays = [judge(_job(n), RuntimeError("500"), T0, DAY).retry_at for n in range(5)]
    assert [(d - T0).total_seconds() for d in delays if d] == [2, 5, 15, 30, 60]
    last = judge(_job(MAX_ATTEMPTS - 1), RuntimeError("500"), T0, DAY)
    assert last.retry_at is None and last.attempt and "gave up after 6 attempts" in last.reason
