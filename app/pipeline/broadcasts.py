"""The broadcast runner (issue 15.2): hands a sending broadcast's recipients to the outbox a
few at a time, and follows them until every one is messaged, failed or skipped.

Pacing is the send budget's, not ours: recipients are queued as `broadcast` messages (the
lowest priority, held by quiet hours, the daily budget and the first-message cap), at most
`lookahead` of a broadcast waiting in the outbox at once — enough to keep every free slot
used, few enough that a pause takes back what has not gone yet and a reply to a customer
never queues behind thousands of offers.

Each recipient is claimed in the transaction that writes its message (`repos.broadcasts`),
so a crash at any point neither skips nor repeats anyone: after a restart the runner simply
continues with the rows still pending. Scheduled broadcasts start here when due. Every pass
copies message states (receipts, replies) onto the recipients, publishes `broadcast:progress`
when a broadcast's counts moved, and finishes a broadcast once nothing is left to send —
`broadcast_complete` is notified by the one caller whose guarded UPDATE finished it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from app.aio import wait_set
from app.db.repos import broadcasts as repo
from app.db.repos.outbox import Draft, Media, Written, target_for
from app.db.tables import Message
from app.domain import BroadcastStatus, Clock, MediaType
from app.domain.broadcasts import BroadcastStats
from app.domain.sending import SendKind
from app.domain.templating import contact_values, render
from app.events import EventBus, catalog
from app.pipeline.outbox import Outbox
from app.records import Notifier, WebhookOutbox

log = logging.getLogger(__name__)

SYNC_S = 3.0  # a sending broadcast's recipients follow their messages this often ...
FINISHED_SYNC_S = 30.0  # ... and a finished one's (receipts and replies) this often
FOLLOW_DAYS = 7  # ... for this long after they finished


class BroadcastRunner:
    def __init__(
        self,
        clock: Clock,
        events: EventBus,
        notifier: Notifier,
        outbox: Outbox,
        *,
        webhooks: WebhookOutbox | None = None,
        poll_s: float = 1.0,
        lookahead: int = 20,
        reply_window: timedelta = timedelta(hours=72),
    ) -> None:
        self._clock = clock
        self._events = events
        self._webhooks = webhooks  # `broadcast.completed` goes out with the finishing commit
        self._notifier = notifier
        self._outbox = outbox
        self._poll_s = poll_s
        self._lookahead = lookahead
        self.reply_window = reply_window
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._shown: dict[str, tuple[str, BroadcastStats]] = {}  # last published, by id
        self._finished_synced_at = 0.0
        self._synced_at: dict[str, float] = {}  # broadcast id → loop time of its last sync

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="broadcasts")

    async def stop(self, grace_s: float = 2.0) -> None:
        self._stopping = True
        self.wake()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), grace_s)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_once()
                if loop.time() - self._finished_synced_at >= FINISHED_SYNC_S:
                    self._finished_synced_at = loop.time()
                    await self._follow_finished()
            except Exception:
                log.exception("broadcast pass failed")
            await wait_set(self._wake, self._poll_s)

    async def run_once(self) -> None:
        """One pass over the scheduled and sending broadcasts."""
        now = self._clock.now()
        for row in await repo.active():
            if self._stopping:
                return
            if row["status"] == BroadcastStatus.SCHEDULED:
                due = row["scheduled_at"] is not None and row["scheduled_at"] <= now
                if not due or not await repo.begin(row, now):
                    continue
            await self._advance(row)

    async def _advance(self, row: dict[str, Any]) -> None:
        broadcast_id = row["id"]
        if row["session_id"] is None:
            await self._finish(row, BroadcastStatus.FAILED, "its WhatsApp number was removed")
            return
        written, left = await self._feed(row)
        if written and await repo.status_of(broadcast_id) != BroadcastStatus.SENDING:
            await self.withdraw(row["workspace_id"], broadcast_id)  # paused/cancelled meanwhile
        for item in written:
            self._outbox.announce(row["workspace_id"], item)
        # reading every recipient on its way costs what the broadcast is big: every few
        # seconds while it sends, every pass once nothing is left to queue (the end is near)
        now = asyncio.get_running_loop().time()
        if left and now - self._synced_at.get(broadcast_id, 0.0) < SYNC_S:
            return
        self._synced_at[broadcast_id] = now
        await repo.sync(broadcast_id, self.reply_window)
        stats = await repo.stats(broadcast_id)
        if stats.pending == 0:
            failed = stats.total > 0 and stats.failed == stats.total - stats.opted_out
            status = BroadcastStatus.FAILED if failed else BroadcastStatus.SENT
            await self._finish(row, status, "every message failed" if failed else None)
            return
        self._publish(row, BroadcastStatus.SENDING, stats)

    async def _feed(self, row: dict[str, Any]) -> tuple[list[Written], bool]:
        """Queue pending recipients until `lookahead` of this broadcast wait in the outbox;
        also says whether any recipient is left to queue."""
        room = self._lookahead - await repo.in_flight(row["id"])
        if room <= 0:
            return [], True
        media = _media(row)
        out = []
        pending = await repo.next_pending(row["id"], room + 1)
        for recipient_id in pending[:room]:
            if self._stopping:
                break
            written = await self._queue(row, recipient_id, media)
            if written is not None:
                out.append(written)
        return out, len(pending) > room

    async def _queue(
        self, row: dict[str, Any], recipient_id: str, media: Media | None
    ) -> Written | None:
        """Claim one recipient and queue its message: one transaction."""
        now = self._clock.now()
        ws, session_id = row["workspace_id"], row["session_id"]
        async with Message._meta.db.transaction():
            contact = await repo.claim(row["id"], recipient_id, now)
            if contact is None:
                return None
            if contact["is_blocked"]:
                await repo.mark(recipient_id, status=repo.FAILED, error="blocked")
                return None
            if contact["opted_out_at"] is not None:
                await repo.mark(recipient_id, status=repo.OPTED_OUT)
                return None
            values = contact_values(
                name=contact["display_name"] or contact["name"],
                phone=contact["phone_number"],
                language=contact["language"],
                fields=contact["fields"],
            )
            text = render(row["message"], values).text
            target = await target_for(ws, session_id, contact["id"], contact["jid"], now)
            written = await self._outbox.enqueue(
                target,
                [Draft(text, media=media)],
                kind=SendKind.BROADCAST,
                idempotency_key=f"broadcast:{recipient_id}",
            )
            await repo.mark(recipient_id, message_id=written.messages[0].id)
        return written

    async def _finish(
        self, row: dict[str, Any], status: BroadcastStatus, error: str | None
    ) -> None:
        now = self._clock.now()
        async with Message._meta.db.transaction():  # the end and its webhook commit together
            done = await repo.set_status(
                row["id"], [BroadcastStatus.SENDING], status, completed_at=now, error=error,
                updated_at=now,
            )  # fmt: skip
            if not done:
                return
            stats = await repo.stats(row["id"])
            if self._webhooks is not None:
                await self._webhooks.record(
                    catalog.broadcast_completed(
                        row["workspace_id"], broadcast_id=row["id"], name=row["name"],
                        status=str(status), total=stats.total, sent=stats.sent,
                        failed=stats.failed, completed_at=now,
                    )
                )  # fmt: skip
        self._publish(row, status, stats)
        notice = catalog.broadcast_complete(row["id"], row["name"], status, stats)
        await self._notifier.notify(row["workspace_id"], notice)

    async def _follow_finished(self) -> None:
        """Receipts and replies keep coming after the last message went out."""
        since = self._clock.now() - timedelta(days=FOLLOW_DAYS)
        for row in await repo.recent_finished(since):
            if await repo.sync(row["id"], self.reply_window):
                self._publish(row, row["status"], await repo.stats(row["id"]))

    def _publish(self, row: dict[str, Any], status: str, stats: BroadcastStats) -> None:
        """`broadcast:progress` when the counts or the status moved since last time."""
        if self._shown.get(row["id"]) == (status, stats):
            return
        self._shown[row["id"]] = (status, stats)
        event = catalog.broadcast_progress(
            row["workspace_id"], row["id"], row["name"], status, stats
        )
        self._events.publish(event)

    async def withdraw(self, workspace_id: str, broadcast_id: str) -> None:
        """Take back what waits in the outbox (`repo.withdraw`) and tell open inboxes, which
        showed those messages as queued, that they are gone."""
        for message_id, conversation_id in await repo.withdraw(broadcast_id):
            self._events.publish(catalog.message_deleted(workspace_id, message_id, conversation_id))

    def publish(self, row: dict[str, Any], status: str, stats: BroadcastStats) -> None:
        """For the service: a pause, resume or cancel is progress news too."""
        self._publish(row, status, stats)


def _media(row: dict[str, Any]) -> Media | None:
    stored = repo.media_of(row)
    if stored is None:
        return None
    return Media(
        type=MediaType(stored["type"]),
        url=stored["url"],
        path=stored["path"],
        mime=stored["mime"],
        filename=stored.get("filename"),
    )
