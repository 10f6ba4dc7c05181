"""What the dispatcher tells the dashboard: message status changes and typing (events), and a
`message_failed` notification when a reply ends FAILED (someone should follow up by hand)."""

from __future__ import annotations

from typing import Any

import msgspec

from app.db.repos.outbox_jobs import Job
from app.events import EventBus, names
from app.services.notifications import NotificationService


class Announcer:
    def __init__(self, events: EventBus, notifications: NotificationService) -> None:
        self._events = events
        self._notifications = notifications

    def message(self, job: Job, message: Any) -> None:
        self._events.publish(
            names.MESSAGE_UPDATED,
            job.workspace_id,
            {"message": msgspec.to_builtins(message)},
            conversation_id=job.conversation_id,
        )

    def typing(self, job: Job, on: bool) -> None:
        self._events.publish(
            names.TYPING_START if on else names.TYPING_STOP,
            job.workspace_id,
            {"conversationId": job.conversation_id},
            conversation_id=job.conversation_id,
        )

    async def failed(self, job: Job, message: Any, reason: str) -> None:
        if message is not None:
            self.message(job, message)
        await self._notifications.notify(
            job.workspace_id,
            names.MESSAGE_FAILED,
            {"conversationId": job.conversation_id, "messageId": job.message_id, "reason": reason},
        )
