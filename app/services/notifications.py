"""The notification centre (seed §12) as the dashboard and `/notifications` read it."""

from __future__ import annotations

from app.auth import Resource, guarded
from app.db.tables import Notification
from app.domain import Actor, Clock, NotFound, Page
from app.domain import conversations as c
from app.services._rows import page_bounds, to_model


class NotificationService:
    """The notification centre: list and mark read. `app.records.Notifier` writes them."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

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
