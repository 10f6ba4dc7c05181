"""The webhook outbox (DESIGN §8): an event becomes delivery rows in the transaction of the
change that caused it, so a committed change always has its deliveries and a rolled-back one
never does; `app.jobs.webhook_sender.WebhookSender` sends them, also after a crash.

Writers call `await webhooks.record(event, …)` *inside* their transaction, with the events
they publish after it: the public type, whether anyone wants it, and the envelope are decided
here (`app.events.public`), nowhere else. Nobody listening is the common case and must cost
nothing: which types a workspace's webhooks want is cached per workspace (`Subscriptions`).
The webhook service drops a workspace's entry on every change it makes, the sender when it
disables one; an entry lives `ttl_s` at most, so a change made on another app node is seen
within that.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import msgspec

from app.db.repos import webhooks as repo
from app.db.tx import transaction
from app.domain import Clock, DeliveryStatus, new_id
from app.events import Event
from app.events.public import VERSION, ordering_key, public_data, public_type, wants

Subscribed = tuple[tuple[str, frozenset[str]], ...]  # (webhook id, event types) per webhook


class Subscriptions:
    """Per workspace: its active webhooks and the event types they want, cached."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self._ttl_s = ttl_s
        self._cache: dict[str, tuple[float, Subscribed]] = {}
        self.misses = 0  # lookups that went to the database (tests, benchmarks)

    async def wanting(self, workspace_id: str, event_type: str) -> list[str]:
        """Ids of the workspace's active webhooks subscribed to `event_type`."""
        subscribed = await self.of(workspace_id)
        return [hook for hook, types in subscribed if wants(types, event_type)]

    async def of(self, workspace_id: str) -> Subscribed:
        """The workspace's active webhooks and what each wants."""
        now = time.monotonic()
        cached = self._cache.get(workspace_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        self.misses += 1
        subscribed = tuple(await repo.subscriptions(workspace_id))
        self._cache[workspace_id] = (now + self._ttl_s, subscribed)
        return subscribed

    def invalidate(self, workspace_id: str) -> None:
        """The workspace's webhooks changed: read them again on the next event."""
        self._cache.pop(workspace_id, None)


class WebhookOutbox:
    def __init__(
        self, clock: Clock, subscriptions: Subscriptions, wake: Callable[[], None]
    ) -> None:
        self._clock = clock
        self._subscriptions = subscriptions
        self._wake = wake  # the sender's: rows are waiting (a hint; it also polls)
        self._last_seq = 0

    async def joined(self, workspace_id: str) -> AbstractAsyncContextManager[object]:
        """`async with await webhooks.joined(ws):` around a change and its `record` — one
        transaction when the workspace has an active webhook; none without one (`record`
        writes nothing then, and a one-statement change is atomic on its own: no
        BEGIN/COMMIT round trips). Cached, like `record`."""
        if await self.quiet(workspace_id):
            return contextlib.nullcontext()
        return transaction()

    async def quiet(self, workspace_id: str) -> bool:
        """No active webhook in the workspace: `record` writes nothing there, so a change
        need not commit together with it. Cached, like `record`."""
        return not await self._subscriptions.of(workspace_id)

    async def record(self, *events: Event) -> int:
        """Write a delivery for every webhook that wants each event; call it inside the
        transaction of the change. Returns how many rows were written."""
        written = 0
        for event in events:
            event_type = public_type(event)
            if event_type is None:
                continue
            hooks = await self._subscriptions.wanting(event.workspace_id, event_type)
            if not hooks:
                continue
            now, event_id = self._clock.now(), new_id()
            body = envelope(event_id, event_type, now, event.workspace_id, public_data(event))
            for hook in hooks:
                await repo.insert(self._row(hook, event, event_type, event_id, body, now))
                written += 1
        if written:
            self._wake()
        return written

    async def claimed(self, webhook_id: str, event: Event, lease_until: datetime) -> repo.Claimed:
        """One delivery of `event` to one webhook whatever it subscribes to, written already
        claimed (until `lease_until`) for the caller to send itself: a test send."""
        event_type = public_type(event) or event.name
        now, event_id = self._clock.now(), new_id()
        body = envelope(event_id, event_type, now, event.workspace_id, public_data(event))
        row = self._row(webhook_id, event, event_type, event_id, body, now)
        row |= {"status": DeliveryStatus.SENDING, "lease_until": lease_until}
        await repo.insert(row)
        return repo.Claimed(
            row["id"],
            webhook_id,
            event.workspace_id,
            event_id,
            event_type,
            body,
            row["seq"],
            0,
            lease_until,
        )

    async def redeliver(self, original: dict[str, Any]) -> str:
        """Send a past delivery's event again, as a new delivery (a new `X-Aimy-Delivery`;
        the body — and its event `id` — unchanged)."""
        now = self._clock.now()
        row = {
            "id": new_id(),
            "webhook_id": original["webhook_id"],
            "workspace_id": original["workspace_id"],
            "event_id": original["event_id"],
            "event_type": original["event_type"],
            "body": original["body"],
            "ordering_key": original["ordering_key"],
            "seq": self._seq(),
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "redelivery_of": original["id"],
            "created_at": now,
        }
        await repo.insert(row)
        self._wake()
        return str(row["id"])

    def _row(
        self,
        webhook_id: str,
        event: Event,
        event_type: str,
        event_id: str,
        body: str,
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "id": new_id(),
            "webhook_id": webhook_id,
            "workspace_id": event.workspace_id,
            "event_id": event_id,
            "event_type": event_type,
            "body": body,
            "ordering_key": ordering_key(event),
            "seq": self._seq(),
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }

    def _seq(self) -> int:
        """Increasing within this process (microseconds since the epoch, bumped on a tie), so
        a conversation's events keep the order they were recorded in."""
        self._last_seq = max(self._last_seq + 1, time.time_ns() // 1000)
        return self._last_seq


_ENCODER = msgspec.json.Encoder()


def envelope(
    event_id: str, event_type: str, at: datetime, workspace_id: str, data: dict[str, Any]
) -> str:
    """The JSON a receiver gets (see `app.events.public`), as the text that is signed."""
    return _ENCODER.encode(
        {
            "id": event_id,
            "type": event_type,
            "version": VERSION,
            "createdAt": at,
            "workspaceId": workspace_id,
            "data": data,
        }
    ).decode()
