"""What to do after a failed send (DESIGN §4.3): try again later, or give up for good.

Two kinds of failure:
- the number is offline (not connected, or its channel is not running): nothing was tried, so
  the retry ladder does not move; the row waits (re-checked with a growing delay, and at once
  when the number reconnects) — but only within the resend window: a reply older than that
  would arrive out of context, so it ends FAILED instead;
- the send itself failed: the seed's ladder (2/5/15/30/60 s), FAILED after `MAX_ATTEMPTS`.

The window also applies to any row about to be sent (e.g. after the app was down for days) —
to replies only: what we start ourselves (flows, send-first, broadcasts) is not out of context
later, and may wait days for the send budget; it goes when it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.db.repos.outbox_jobs import Job
from app.domain.errors import NotFound

RETRY_DELAYS = (2, 5, 15, 30, 60)  # seconds; the seed's reconnect ladder serves sends too
MAX_ATTEMPTS = 6
DEFAULT_WINDOW = timedelta(hours=24)


class Offline(Exception):
    """The session's number is not connected: the send was not attempted."""


@dataclass(frozen=True, slots=True)
class Verdict:
    retry_at: datetime | None  # None: give up (FAILED)
    reason: str
    attempt: bool  # whether the send was really tried (counts toward MAX_ATTEMPTS)


def is_offline(exc: Exception) -> bool:
    return isinstance(exc, Offline | ConnectionError | NotFound)


def expired(job: Job, now: datetime, window: timedelta) -> Verdict | None:
    """FAILED without trying: the reply waited longer than the resend window."""
    if not job.kind.conversational or now - job.created_at < window:
        return None
    hours = window.total_seconds() / 3600
    return Verdict(None, f"not sent within the {hours:g} h resend window", attempt=False)


def judge(job: Job, exc: Exception, now: datetime, window: timedelta) -> Verdict:
    error = f"{type(exc).__name__}: {exc}"
    if is_offline(exc):
        late = expired(job, now, window)
        if late is not None:
            return Verdict(None, f"{late.reason} (WhatsApp offline: {error})", attempt=False)
        age = (now - job.created_at).total_seconds()
        return Verdict(now + timedelta(seconds=min(60.0, max(2.0, age / 4))), error, False)
    if job.attempts + 1 >= MAX_ATTEMPTS:
        return Verdict(None, f"gave up after {MAX_ATTEMPTS} attempts: {error}", attempt=True)
    delay = RETRY_DELAYS[min(job.attempts, len(RETRY_DELAYS) - 1)]
    return Verdict(now + timedelta(seconds=delay), error, attempt=True)
