"""What the dispatcher tells the dashboard: message status changes and typing (events), and a
`message_failed` notification when a reply ends FAILED (someone should follow up by hand)."""

from __future__ import annotations

from app.db.repos.outbox_jobs import Job
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.records import Notifier


class Announcer:
    def __init__(self, events: EventBus, notifier: Notifier) -> None:
        self._events = events
        self._notifier = notifier

    def message(self, job: Job, message: c.Message) -> None:
        self._events.publish(catalog.message_updated(job.workspace_id, message))

    def typing(self, job: Job, on: bool) -> None:
        typing = catalog.typing_start if on else catalog.typing_stop
        self._events.publish(typing(job.workspace_id, job.conversation_id))

    async def failed(self, job: Job, message: c.Message | None, reason: str) -> None:
        if message is not None:
            self.message(job, message)
        notice = catalog.message_failed(job.conversation_id, job.message_id, reason)
        await self._notifier.notify(job.workspace_id, notice)
