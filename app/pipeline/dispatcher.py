"""The dispatcher: sends outbox rows through the session's channel, in order per chat.

One background task finds due rows; each chat (session, jid) gets one lane task that sends its
rows strictly in order: typing indicator (time grows with length) → per-session rate window →
per-chat spacing → `channel.send` → record the WhatsApp id. A failure retries with backoff
and holds the chat's later rows behind it; after the last attempt the row is FAILED.

Crash semantics: a decision's rows are durable before anything is sent, so rows PENDING at a
crash are sent once after restart, and SENT rows never again. A row caught *inside*
`channel.send` (SENDING at restart) is sent again: the one window where a reply could
arrive twice, as long as the send itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

import msgspec

from app.channels import ChannelManager
from app.db.repos import outbox
from app.domain import Clock, OutboundMessage
from app.events import EventBus, names
from app.pipeline.pacing import Pacing, RateWindow

log = logging.getLogger(__name__)
RETRY_DELAYS = (2, 5, 15, 30, 60)  # seconds; the seed's reconnect ladder serves sends too
MAX_ATTEMPTS = 6


class Dispatcher:
    def __init__(
        self,
        channels: ChannelManager,
        events: EventBus,
        clock: Clock,
        pacing: Pacing,
        *,
        poll_s: float = 1.0,
        stall_s: float = 0.0,
    ) -> None:
        self._channels = channels
        self._events = events
        self._clock = clock
        self._pacing = pacing
        self._poll_s = poll_s
        self._stall_s = stall_s
        self._wake = asyncio.Event()
        self._busy: set[tuple[str, str]] = set()
        self._lanes: set[asyncio.Task[None]] = set()
        self._rates: dict[str, RateWindow] = {}
        self._last_send: dict[tuple[str, str], float] = {}
        self.recording: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        recovered = await outbox.recover_interrupted()
        if recovered:
            log.warning("%d outbox rows were interrupted mid-send; sending them again", recovered)
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
        lanes: dict[tuple[str, str], list[outbox.Job]] = {}
        for job in await outbox.due(self._clock.now()):
            key = (job.session_id, job.jid)
            if key not in self._busy:
                lanes.setdefault(key, []).append(job)
        for key, jobs in lanes.items():
            self._busy.add(key)
            task = asyncio.create_task(self._lane(key, jobs))
            self._lanes.add(task)
            task.add_done_callback(self._lanes.discard)

    async def _lane(self, key: tuple[str, str], jobs: list[outbox.Job]) -> None:
        try:
            for job in jobs:
                if self._stopping:
                    break
                if not await outbox.claim(job.id):
                    continue
                if not await self._send(key, job):
                    break  # later rows of this chat wait behind the retry
        except Exception:
            log.exception("dispatcher lane %s failed", key)
        finally:
            self._busy.discard(key)
            self.wake()

    async def _send(self, key: tuple[str, str], job: outbox.Job) -> bool:
        try:
            channel = self._channels.get(job.session_id)
            await self._pace(key, job, channel)
            if self._stall_s:
                log.warning("dispatch stall: holding outbox %s for %.0f s", job.id, self._stall_s)
                await asyncio.sleep(self._stall_s)
            async with self.recording[job.session_id]:  # receipts wait until the id is stored
                wa_id = await channel.send(OutboundMessage(to=job.jid, text=job.text))
                message = await outbox.mark_sent(job, wa_id, self._clock.now())
        except Exception as exc:
            await self._failed(job, exc)
            return False
        log.info("sent outbox %s as %s", job.id, wa_id)
        self._rate(job.session_id).record()
        self._last_send[key] = asyncio.get_running_loop().time()
        if message is not None:
            self._events.publish(
                names.MESSAGE_UPDATED,
                job.workspace_id,
                {"message": _encode(message)},
                conversation_id=job.conversation_id,
            )
        return True

    async def _pace(self, key: tuple[str, str], job: outbox.Job, channel: object) -> None:
        loop = asyncio.get_running_loop()
        spacing = self._pacing.chat_spacing_s - (loop.time() - self._last_send.get(key, -1e9))
        rate_wait = self._rate(job.session_id).wait_time()
        typing = self._pacing.typing_time(job.text)
        if typing > 0:
            await _typing(channel, job.jid, True)
            self._publish_typing(names.TYPING_START, job)
        delay = max(typing, spacing, rate_wait)
        if delay > 0:
            await asyncio.sleep(delay)
        if typing > 0:
            await _typing(channel, job.jid, False)
            self._publish_typing(names.TYPING_STOP, job)

    def _publish_typing(self, name: str, job: outbox.Job) -> None:
        self._events.publish(
            name,
            job.workspace_id,
            {"conversationId": job.conversation_id},
            conversation_id=job.conversation_id,
        )

    def _rate(self, session_id: str) -> RateWindow:
        if session_id not in self._rates:
            self._rates[session_id] = RateWindow(self._pacing.per_min)
        return self._rates[session_id]

    async def _failed(self, job: outbox.Job, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        if job.attempts + 1 >= MAX_ATTEMPTS:
            log.error("outbox %s failed for good: %s", job.id, error)
            message = await outbox.mark_failed(job, error)
            if message is not None:
                self._events.publish(
                    names.MESSAGE_UPDATED,
                    job.workspace_id,
                    {"message": _encode(message)},
                    conversation_id=job.conversation_id,
                )
            return
        delay = RETRY_DELAYS[min(job.attempts, len(RETRY_DELAYS) - 1)]
        log.warning("outbox %s: %s; retry in %s s", job.id, error, delay)
        await outbox.mark_retry(job, self._clock.now() + timedelta(seconds=delay), error)


async def _typing(channel: object, jid: str, on: bool) -> None:
    try:
        await channel.set_typing(jid, on)  # type: ignore[attr-defined]
    except Exception as exc:  # presence is best effort
        log.debug("typing indicator failed: %s", exc)


def _encode(model: object) -> dict[str, Any]:
    return msgspec.to_builtins(model)
