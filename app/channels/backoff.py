"""Supervision policy: the seed's reconnect schedule (§9) and the knobs around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SEED_BACKOFF = (2.0, 5.0, 15.0, 30.0, 60.0)


@dataclass(frozen=True, slots=True)
class SupervisorConfig:
    backoff: tuple[float, ...] = SEED_BACKOFF
    alert_from_attempt: int = 5  # seed: "attempt 5+: wait 60s, emit alert to workspace"
    stop_grace: float = 10.0  # seconds a worker gets to stop before SIGKILL
    request_timeout: float = 120.0  # seconds to wait for a command's reply (uploads are slow)
    # seconds between checkpoints of a running worker's credentials (vault): what a node
    # that is SIGKILLed loses at most; a connection (e.g. right after pairing) seals at once
    checkpoint_s: float = 60.0


@dataclass(frozen=True, slots=True)
class Restart:
    """One unplanned worker exit and the delay chosen before the next start."""

    attempt: int
    delay: float
    exit_code: int | None
    at: datetime


def backoff_delay(schedule: tuple[float, ...], attempt: int) -> float:
    """Delay before reconnect attempt `attempt` (1-based); the last step repeats."""
    if attempt < 1:
        raise ValueError("attempts count from 1")
    return schedule[min(attempt, len(schedule)) - 1]
