"""Daily cleanup: expired sign-ins, used or stale reset links and invites, old notifications,
webhook deliveries past their retention (7 days, the newest 1,000 per webhook), rate-limit
counters of windows that ended a day ago (Postgres: one row per client IP or workspace), and
the messages past each workspace's own retention (`retention.py`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from app.db.repos import rate_limits, webhooks
from app.db.tables import Notification, PasswordReset, UserSession, WorkspaceInvite
from app.domain import Clock
from app.jobs.retention import apply_retention
from app.records import AuditTrail
from app.storage import Storage

log = logging.getLogger(__name__)


async def nightly_cleanup(clock: Clock, storage: Storage, audit: AuditTrail) -> None:
    """The 2 AM job: what expired, then message retention (each workspace's own window)."""
    await cleanup_expired(clock)
    await apply_retention(clock, storage, audit)


async def cleanup_expired(clock: Clock) -> dict[str, int]:
    now = clock.now()
    week_ago = now - timedelta(days=7)
    removed = {
        "sessions": await _delete(
            UserSession, (UserSession.expires_at < now) | (UserSession.revoked_at < week_ago)
        ),
        "password_resets": await _delete(PasswordReset, PasswordReset.expires_at < now),
        "invites": await _delete(WorkspaceInvite, WorkspaceInvite.expires_at < week_ago),
        "notifications": await _delete(Notification, Notification.expires_at < now),
        "webhook_deliveries": await webhooks.prune(now),
        "rate_limits": await rate_limits.forget((now - timedelta(days=1)).timestamp()),
    }
    log.info("cleanup removed %s", removed)
    return removed


async def _delete(table: Any, where: Any) -> int:
    rows = await table.delete().where(where).returning(table.id)
    return len(rows)
