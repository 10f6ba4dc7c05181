"""Notifications (seed §12): stored 7 days, pushed to the workspace's live clients as
`notification:new`. What to notify is a `Notice` of `app.events.catalog`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.db.tables import Notification
from app.db.tables.settings import NOTIFICATION_TTL_DAYS
from app.domain import Clock, new_id
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.events.catalog import Notice

TTL = timedelta(days=NOTIFICATION_TTL_DAYS)


class Notifier:
    def __init__(self, clock: Clock, events: EventBus) -> None:
        self._clock = clock
        self._events = events

    async def notify(self, workspace_id: str, notice: Notice) -> str:
        """Store one notification and push it to the workspace's live clients; its id."""
        now = self._clock.now()
        stored = c.Notification(
            id=new_id(),
            type=notice.type,
            payload=notice.payload,
            is_read=False,
            created_at=now,
            expires_at=now + TTL,
        )
        await Notification.insert(
            Notification(
                id=stored.id,
                workspace_id=workspace_id,
                type=stored.type,
                payload=stored.payload,
                created_at=stored.created_at,
                expires_at=stored.expires_at,
            )
        )
        self._events.publish(catalog.notification_new(workspace_id, stored))
        return stored.id

    async def update(
        self,
        workspace_id: str,
        notification_id: str,
        payload: dict[str, Any],
        *,
        unread: bool = False,
    ) -> None:
        """Replace a notification's payload (a situation that goes on: an outage's attempt
        count) and tell live clients with `notification:updated`; `unread` raises it again."""
        changes: dict[Any, Any] = {Notification.payload: payload}
        if unread:
            changes[Notification.is_read] = False
        await Notification.update(changes).where(
            (Notification.id == notification_id) & (Notification.workspace_id == workspace_id)
        )
        self._events.publish(
            catalog.notification_updated(workspace_id, notification_id, payload, unread=unread)
        )

    async def latest(
        self, workspace_id: str, type_: str, limit: int = 50
    ) -> list[tuple[str, dict[str, Any]]]:
        """(id, payload) of the newest live notifications of one type, newest first: what a
        writer that updates its notice in place (an outage) finds again after a restart."""
        rows = (
            await Notification.select(Notification.id, Notification.payload)
            .where(
                (Notification.workspace_id == workspace_id)
                & (Notification.type == type_)
                & (Notification.expires_at > self._clock.now())
            )
            .order_by(Notification.created_at, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [(str(r["id"]), dict(r["payload"] or {})) for r in rows]
