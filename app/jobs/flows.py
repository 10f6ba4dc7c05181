"""Flow jobs: wake due runs (delays, question timeouts) and fire scheduled flows.

Both only wake: the runs and the last fired slot are rows (`flow_runs.wake_at`,
`flows.last_fired_at`), so the first tick after a start finds everything that came due while
the app was down, and a tick that overlaps another (or another node's) moves nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app.domain import Clock

SCHEDULE_TICK_S = 20.0  # cron slots are minutes: three looks a minute are enough


def register_flow_jobs(
    scheduler: BaseScheduler,
    wake_due: Callable[[], Awaitable[int]],
    fire_schedules: Callable[[], Awaitable[int]],
    clock: Clock,
    tick_s: float,
) -> None:
    """`wake_due` and `fire_schedules` are the `FlowRunner`'s."""
    first = clock.now() + timedelta(seconds=0.5)  # right after start: re-arm from the table
    scheduler.add_job(
        wake_due,
        IntervalTrigger(seconds=tick_s),
        id="flow_wake",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=first,
    )
    scheduler.add_job(
        fire_schedules,
        IntervalTrigger(seconds=min(tick_s * 4, SCHEDULE_TICK_S)),
        id="flow_schedules",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=first,
    )
