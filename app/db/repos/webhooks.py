"""Webhooks and their delivery queue (issue 16): who subscribes, the outbox insert, the
sender's claim and outcomes, the log, retention.

The claim is the multi-node contract: one statement moves due rows to SENDING with a lease, so
two senders (two app nodes on one Postgres) never take the same row — on Postgres the rows are
picked `FOR UPDATE SKIP LOCKED` (and the outer `status = 'PENDING'` is checked again on a row
a concurrent claim may just have changed), on SQLite the statement runs alone. A row whose
sender died goes back to PENDING once its lease has passed, and is taken again. Due rows are
walked in `next_attempt_at` order (the index), so a claim reads about as many rows as it
takes. A webhook's deliveries of one conversation go in `seq` order: a row is only claimed
when no earlier row of its `ordering_key` is still waiting (PENDING, e.g. for its retry) or in
flight.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from app.db import fast
from app.db.repos.mapping import json_value
from app.db.tables import Webhook, WebhookDelivery
from app.domain import DeliveryStatus

RETENTION = timedelta(days=7)  # settled deliveries older than this go (nightly cleanup) …
KEEP_LAST = 1000  # … and any beyond the newest KEEP_LAST of their webhook
DISABLED = "not sent: the webhook was switched off first (redeliver it once it is on again)"

_TARGETS = "SELECT id, workspace_id, name, url, secret, is_active FROM webhooks WHERE id IN (%s)"
_SUBSCRIPTIONS = "SELECT id, events FROM webhooks WHERE workspace_id = {} AND is_active = {}"

_RELEASE = (
    "UPDATE webhook_deliveries SET status = 'PENDING', lease_until = NULL "
    "WHERE status = 'SENDING' AND lease_until < {}"
)
_CLAIM = """
UPDATE webhook_deliveries SET status = 'SENDING', lease_until = {}
WHERE id IN (
    SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'PENDING' AND d.next_attempt_at <= {} AND w.is_active = {}
    AND NOT EXISTS (
        SELECT 1 FROM webhook_deliveries e
        WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key
        AND e.status IN ('PENDING', 'SENDING') AND e.seq < d.seq)
    ORDER BY d.next_attempt_at LIMIT {} %s) %s
RETURNING id, webhook_id, workspace_id, event_id, event_type, body, seq, attempts, lease_until
"""
# Postgres: lock what is picked, skip what another node holds, and check the row again
_SKIP_LOCKED = ("FOR UPDATE OF d SKIP LOCKED", "AND status = 'PENDING'")

_SETTLE = (
    "UPDATE webhook_deliveries SET status = {}, attempts = attempts + 1, status_code = {}, "
    "duration_ms = {}, error = {}, last_attempt_at = {}, lease_until = NULL, "
    "next_attempt_at = {}, delivered_at = {} WHERE id = {} AND status = 'SENDING' "
    "AND lease_until = {}"
)
_HEALTHY = (
    "UPDATE webhooks SET last_called_at = {}, failure_count = 0, failing_since = NULL WHERE id = {}"
)
_FAILING = (
    "UPDATE webhooks SET last_called_at = {}, failure_count = failure_count + 1, "
    "failing_since = COALESCE(failing_since, {}) WHERE id = {} "
    "RETURNING failure_count, failing_since, is_active"
)
_PRUNE_OLD = (
    "DELETE FROM webhook_deliveries WHERE status IN ('DELIVERED', 'FAILED') AND created_at < {}"
)
_PRUNE_MANY = """
DELETE FROM webhook_deliveries WHERE status IN ('DELIVERED', 'FAILED') AND id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY seq DESC) AS n
        FROM webhook_deliveries) ranked
    WHERE n > {})
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this sender holds until `lease_until`."""

    id: str
    webhook_id: str
    workspace_id: str
    event_id: str
    event_type: str
    body: str
    seq: int
    attempts: int  # before this one
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class Target:
    """Where a webhook's deliveries go."""

    id: str
    workspace_id: str
    name: str
    url: str
    secret: str | None  # sealed (see app.secrets.seal)
    is_active: bool


async def subscriptions(workspace_id: str) -> list[tuple[str, frozenset[str]]]:
    """The workspace's active webhooks and the event types each wants."""
    rows = await fast.execute(Webhook, _SUBSCRIPTIONS, workspace_id, True)
    return [(r["id"], frozenset(json_value(r["events"], []))) for r in rows]


async def insert(row: dict[str, Any]) -> None:
    """One delivery row (the webhook outbox; inside the caller's transaction)."""
    await fast.insert(WebhookDelivery, row)


async def release_expired(now: datetime) -> int:
    """Claims whose lease has passed (their sender died) go back to PENDING, keeping their
    place; returns how many."""
    return len(await fast.execute(WebhookDelivery, _RELEASE + " RETURNING id", now))


async def claim(now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Take up to `limit` due deliveries (see the module docs), the longest due first."""
    engine = WebhookDelivery._meta.db
    lock = ("", "") if engine.engine_type == "sqlite" else _SKIP_LOCKED
    args = (now + lease, now, True, limit)
    rows = await fast.execute(WebhookDelivery, _CLAIM % lock, *args)
    return sorted((Claimed(**r) for r in rows), key=lambda c: c.seq)


async def claim_one(delivery_id: str, now: datetime, lease: timedelta) -> Claimed | None:
    """Take one PENDING delivery now, whatever its turn (a test send)."""
    taken: dict[Any, Any] = {
        WebhookDelivery.status: DeliveryStatus.SENDING,
        WebhookDelivery.lease_until: now + lease,
    }
    rows = (
        await WebhookDelivery.update(taken)
        .where(
            (WebhookDelivery.id == delivery_id) & (WebhookDelivery.status == DeliveryStatus.PENDING)
        )
        .returning(*(getattr(WebhookDelivery, f.name) for f in fields(Claimed)))
    )
    return Claimed(**rows[0]) if rows else None


async def targets(webhook_ids: set[str]) -> dict[str, Target]:
    ids = sorted(webhook_ids)
    marks = ", ".join("{}" for _ in ids)
    rows = await fast.execute(Webhook, _TARGETS % marks, *ids)
    return {r["id"]: Target(**{**r, "is_active": bool(r["is_active"])}) for r in rows}


async def settle(
    claimed: Claimed,
    status: DeliveryStatus,
    now: datetime,
    *,
    status_code: int | None,
    duration_ms: int | None,
    error: str | None,
    next_at: datetime | None = None,
) -> bool:
    """Record one attempt's outcome — DELIVERED, PENDING again at `next_at`, or FAILED —
    unless the claim was lost meanwhile (its lease passed and another sender took it)."""
    delivered = now if status is DeliveryStatus.DELIVERED else None
    rows = await fast.execute(
        WebhookDelivery,
        _SETTLE + " RETURNING id",
        status,
        status_code,
        duration_ms,
        (error or None) and error[:1000],
        now,
        next_at or now,
        delivered,
        claimed.id,
        claimed.lease_until,
    )
    return bool(rows)


async def healthy(webhook_id: str, now: datetime) -> None:
    """A 2xx: the run of failures (if any) is over."""
    await fast.execute(Webhook, _HEALTHY, now, webhook_id)


async def failing(webhook_id: str, now: datetime) -> tuple[int, datetime | None, bool]:
    """One more failed attempt: (failures in a row, since when, still active)."""
    rows = await fast.execute(Webhook, _FAILING, now, now, webhook_id)
    if not rows:
        return 0, None, False
    row = rows[0]
    return row["failure_count"], row["failing_since"], bool(row["is_active"])


async def disable(webhook_id: str, reason: str, now: datetime) -> bool:
    """Switch a webhook off and fail what waits for it; False if it was off already."""
    async with Webhook._meta.db.transaction():
        rows = (
            await Webhook.update(
                {Webhook.is_active: False, Webhook.disabled_reason: reason, Webhook.updated_at: now}
            )
            .where((Webhook.id == webhook_id) & (Webhook.is_active == True))  # noqa: E712
            .returning(Webhook.id)
        )
        if rows:
            await fail_waiting(webhook_id, DISABLED)
    return bool(rows)


async def fail_waiting(webhook_id: str, error: str) -> None:
    """PENDING deliveries of a webhook that is off: FAILED (redeliver them from the log)."""
    await WebhookDelivery.update(
        {
            WebhookDelivery.status: DeliveryStatus.FAILED,
            WebhookDelivery.error: error,
            WebhookDelivery.lease_until: None,
        }
    ).where(
        (WebhookDelivery.webhook_id == webhook_id)
        & (WebhookDelivery.status == DeliveryStatus.PENDING)
    )


async def prune(now: datetime) -> int:
    """Retention: settled deliveries older than `RETENTION`, and beyond `KEEP_LAST` per webhook."""
    old = await fast.execute(WebhookDelivery, _PRUNE_OLD + " RETURNING id", now - RETENTION)
    many = await fast.execute(WebhookDelivery, _PRUNE_MANY + " RETURNING id", KEEP_LAST)
    return len(old) + len(many)
