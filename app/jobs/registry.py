"""Which job runs when. Each job is a plain coroutine taking the container."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.jobs.cleanup import cleanup_expired
from app.jobs.human_reply import nudge_waiting

if TYPE_CHECKING:
    from app.container import Container


def register_jobs(container: Container) -> None:
    container.scheduler.add_job(
        cleanup_expired,
        CronTrigger(hour=2, minute=0),  # seed §13: daily at 2 AM
        args=[container],
        id="cleanup",
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=3600,
    )
    container.scheduler.add_job(
        nudge_waiting,
        IntervalTrigger(minutes=1),  # the timeout is in minutes: checking each minute is enough
        args=[container],
        id="human_reply_needed",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
