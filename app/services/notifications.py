"""Notification center (seed §12): stored 7 days, pushed as `notification:new`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import Notification
from app.domain import Actor, Clock, NotFound, Page, new_id
from app.domain import conversations as c
from app.events import EventBus, names
from app.services._rows import page_bounds, to_model

TTL = timedelta(days=7)


class NotificationService:
    def __init__(self, clock: Clock, events: EventBus) -> None:
        self._clock = clock
        self._events = events

    async def notify(self, workspace_id: str, type_: str, payload: dict[str, Any]) -> None:
        """Store one notification and push it to the workspace's live clients."""
        now = self._clock.now()
        row = Notification(
            id=new_id(),
            workspace_id=workspace_id,
            type=type_,
            payload=payload,
            created_at=now,
            expires_at=now + TTL,
        )
        await Notification.insert(row)
        self._events.publish(
            names.NOTIFICATION_NEW,
            workspace_id,
            {"id": row.id, "type": type_, "payload": payload, "createdAt": now.isoformat()},
        )

    @guarded(Resource.NOTIFICATIONS, write=False)
    async def list(
        self, actor: Actor, *, page: int = 1, page_size: int = 50, unread: bool | None = None
    ) -> Page[c.Notification]:
        limit, offset = page_bounds(page, page_size)
        where = (Notification.workspace_id == actor.workspace_id) & (
            Notification.expires_at > self._clock.now()
        )
        if unread is not None:
            where &= Notification.is_read == (not unread)
        rows = (
            await Notification.select()
            .where(where)
            .order_by(Notification.created_at, ascending=False)
            .limit(limit)
            .offset(offset)
            .output(load_json=True)
        )
        total = await Notification.count().where(where)
        items = [to_model(c.Notification, r) for r in rows]
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    @guarded(Resource.NOTIFICATIONS, write=True)
    async def mark_read(self, actor: Actor, notification_id: str) -> None:
        done = (
            await Notification.update({Notification.is_read: True})
            .where(
                (Notification.id == notification_id)
                & (Notification.workspace_id == actor.workspace_id)
            )
            .returning(Notification.id)
        )
        if not done:
            raise NotFound("notification not found")

    @guarded(Resource.NOTIFICATIONS, write=True)
    async def mark_all_read(self, actor: Actor) -> int:
        done = (
            await Notification.update({Notification.is_read: True})
            .where(
                (Notification.workspace_id == actor.workspace_id) & (Notification.is_read == False)  # noqa: E712
            )
            .returning(Notification.id)
        )
        return len(done)
