"""Which job runs when. Each job is a plain coroutine taking what it needs (a clock, the
notifier); durable state is in tables, the scheduler only wakes the jobs (DESIGN §4).
Every node schedules them; `once_per_cluster` lets one node of a cluster do each period's run."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.cluster.once import once_per_cluster
from app.domain import Clock
from app.jobs.analytics import aggregate_hours
from app.jobs.cleanup import nightly_cleanup
from app.jobs.human_reply import nudge_waiting
from app.records import AuditTrail, Notifier
from app.storage import Storage


def register_jobs(
    scheduler: BaseScheduler,
    clock: Clock,
    notifier: Notifier,
    storage: Storage,
    audit: AuditTrail,
    node_id: str = "local",
) -> None:
    scheduler.add_job(
        once_per_cluster("cleanup", nightly_cleanup, clock, node_id, min_gap_s=3600),
        CronTrigger(hour=2, minute=0),  # seed §13: daily at 2 AM
        args=[clock, storage, audit],
        id="cleanup",
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        once_per_cluster("human_reply_needed", nudge_waiting, clock, node_id, min_gap_s=30),
        IntervalTrigger(minutes=1),  # the timeout is in minutes: checking each minute is enough
        args=[clock, notifier],
        id="human_reply_needed",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        once_per_cluster("analytics_aggregate", aggregate_hours, clock, node_id, min_gap_s=1800),
        CronTrigger(minute=7),  # seed §13: hourly, once the last hour has settled
        args=[clock],
        id="analytics_aggregate",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
