"""Scheduled jobs (seed §13). APScheduler only wakes them; durable state lives in our tables."""

from app.jobs.registry import register_jobs

__all__ = ["register_jobs"]
