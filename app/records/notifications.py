"""Notifications (seed §12): stored 7 days, pushed to the workspace's live clients as
`notification:new`. What to notify is a `Notice` of `app.events.catalog`."""

from __future__ import annotations

from datetime import timedelta

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

    async def notify(self, workspace_id: str, notice: Notice) -> None:
        """Store one notification and push it to the workspace's live clients."""
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
