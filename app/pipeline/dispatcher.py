"""The dispatcher: sends outbox rows through the session's channel, in order per chat.

One background task finds due rows and claims them in one statement; each chat (session,
jid) gets one lane task that sends its rows strictly in order: pacing (`Pacer`) →
`channel.send` → record the WhatsApp id. A failure (see `retry`) holds the chat behind it —
rows already queued are pushed back with it, rows written meanwhile wait (`_held`, rebuilt
from the table on start); a row that ends FAILED gets its reason and a `message_failed`
notification, and the chat moves on. A reconnecting number resumes its waiting rows at once.

Crash semantics: a decision's rows are durable before anything is sent, so rows PENDING (or
claimed, SENDING) at a crash are sent once after restart, and SENT rows never again. A row
caught *inside* `channel.send` is sent again: the one window where a reply could arrive
twice, as long as the send itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from app.channels import ChannelManager
from app.db.repos import outbox_jobs as jobs
from app.domain import Clock, MediaType, OutboundMessage, SessionStatus, media_file
from app.events import EventBus
from app.pipeline.announce import Announcer
from app.pipeline.pacing import Pacer, Pacing
from app.pipeline.retry import DEFAULT_WINDOW, Offline, Verdict, expired, judge
from app.pipeline.send_locks import SendLocks
from app.records import Notifier

log = logging.getLogger(__name__)
Chat = tuple[str, str]


def outbound(job: jobs.Job, media_dir: Path | None = None) -> OutboundMessage:
    """The row as the channel takes it: text, or a stored file (found by its URL relative to
    the media folder, so a restored or moved row still sends) with the text as caption."""
    media = job.media
    if not media:
        return OutboundMessage(to=job.jid, text=job.text)
    url = media.get("url")
    return OutboundMessage(
        to=job.jid,
        media_type=MediaType(media["type"]),
        media_path=str(media_file(media_dir, url)) if media_dir and url else media["path"],
        media_mime=media["mime"],
        media_filename=media.get("filename"),
        caption=job.text or None,
        voice_note=media["mime"] == "audio/ogg",  # an Opus voice recording: play as a PTT
    )


class Dispatcher:
    def __init__(
        self,
        channels: ChannelManager,
        events: EventBus,
        notifier: Notifier,
        send_locks: SendLocks,
        clock: Clock,
        pacing: Pacing,
        *,
        poll_s: float = 1.0,
        stall_s: float = 0.0,
        window: timedelta = DEFAULT_WINDOW,
        media_dir: Path | None = None,
    ) -> None:
        self._channels = channels
        self._media_dir = media_dir
        self._announce = Announcer(events, notifier)
        self._send_locks = send_locks
        self._clock = clock
        self._pacer = Pacer(pacing, self._announce.typing)
        self._poll_s = poll_s
        self._stall_s = stall_s
        self.window = window
        self._wake = asyncio.Event()
        self._busy: set[Chat] = set()
        self._held: dict[Chat, datetime] = {}  # chat → until (a retry is pending)
        self._lanes: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._generation = 0  # counts wake-ups: a lane rescans only if one came meanwhile

    def wake(self) -> None:
        self._generation += 1
        self._wake.set()

    async def resume(self, session_id: str) -> None:
        """The number is connected again: what waited for it is due now."""
        for chat in [c for c in self._held if c[0] == session_id]:
            del self._held[chat]
        if await jobs.resume_session(session_id, self._clock.now()):
            self.wake()

    async def start(self) -> None:
        self._stopping = False
        recovered = await jobs.recover_interrupted()
        if recovered:
            log.warning("%d outbox rows were interrupted mid-send; sending them again", recovered)
        self._held = await jobs.held_lanes(self._clock.now())
        self._task = asyncio.create_task(self._run(), name="dispatcher")

    async def stop(self, grace_s: float = 2.0) -> None:
        """Let the current pass and in-flight sends finish (a query cancelled midway would
        outlive the loop in its driver thread), then cancel whatever still waits."""
        self._stopping = True
        self.wake()
        tasks = [t for t in (self._task, *self._lanes) if t is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._schedule()
            except Exception:
                log.exception("dispatcher pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def _schedule(self) -> None:
        lanes: dict[Chat, list[jobs.Job]] = {}
        now = self._clock.now()
        for chat, until in list(self._held.items()):
            if until <= now:
                del self._held[chat]
        for job in await jobs.due(now):
            chat = (job.session_id, job.jid)
            if chat not in self._busy and chat not in self._held:
                lanes.setdefault(chat, []).append(job)
        claimed = await jobs.claim([j.id for queue in lanes.values() for j in queue])
        for chat, queue in lanes.items():
            mine = [j for j in queue if j.id in claimed]
            if not mine:
                continue
            self._busy.add(chat)
            task = asyncio.create_task(self._lane(chat, mine))
            self._lanes.add(task)
            task.add_done_callback(self._lanes.discard)

    async def _lane(self, chat: Chat, queue: list[jobs.Job]) -> None:
        generation, now, done = self._generation, self._clock.now, 0
        try:
            for job in queue:
                if self._stopping or not await self._send(chat, job):
                    break  # later rows of this chat wait behind the retry
                done += 1
        except Exception:
            log.exception("dispatcher lane %s failed", chat)
        finally:
            with contextlib.suppress(Exception):  # claimed, not sent: PENDING again
                await jobs.release([j.id for j in queue[done:]], self._held.get(chat, now()))
            self._busy.discard(chat)
            if self._generation != generation:  # rows may have been skipped while busy
                self.wake()

    async def _send(self, chat: Chat, job: jobs.Job) -> bool:
        late = expired(job, self._clock.now(), self.window)
        if late is not None:
            await self._give_up(job, late)
            return True  # this row is done with; the chat moves on
        try:
            channel = self._channels.get(job.session_id)
            if getattr(channel, "status", SessionStatus.CONNECTED) is not SessionStatus.CONNECTED:
                raise Offline(f"WhatsApp session is {channel.status}; not connected")
            await self._pacer.before_send(job, channel)
            if self._stall_s:
                log.warning("dispatch stall: holding outbox %s for %.0f s", job.id, self._stall_s)
                await asyncio.sleep(self._stall_s)
            async with self._send_locks(job.session_id):  # receipts wait until the id is stored
                wa_id = await channel.send(outbound(job, self._media_dir))
                message = await jobs.mark_sent(job, wa_id, self._clock.now())
        except Exception as exc:
            return await self._failed(chat, job, exc)
        log.info("sent outbox %s as %s", job.id, wa_id)
        self._pacer.sent(job)
        if message is not None:
            self._announce.message(job, message)
        return True

    async def _failed(self, chat: Chat, job: jobs.Job, exc: Exception) -> bool:
        """Record the failure; True when the chat may go on (the row ended FAILED)."""
        verdict = judge(job, exc, self._clock.now(), self.window)
        if verdict.retry_at is None:
            await self._give_up(job, verdict)
            return True
        log.warning("outbox %s: %s; retry at %s", job.id, verdict.reason, verdict.retry_at)
        self._held[chat] = verdict.retry_at  # replies written meanwhile wait too
        await jobs.mark_retry(job, verdict.retry_at, verdict.reason, attempt=verdict.attempt)
        return False

    async def _give_up(self, job: jobs.Job, verdict: Verdict) -> None:
        log.error("outbox %s failed for good: %s", job.id, verdict.reason)
        message = await jobs.mark_failed(job, verdict.reason, attempt=verdict.attempt)
        await self._announce.failed(job, message, verdict.reason)
