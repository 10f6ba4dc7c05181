"""The dispatcher: sends outbox rows through the session's channel, within the session's send
budget, in order per chat.

One background task looks for sessions with due rows and claims each one's next rows against
its budget (`SendBudget.claim`: the head row of each free chat gets a send slot by priority —
replies before flows before broadcasts — and is marked SENDING with the budget's ledger written
in the same statement, only if nobody changed the budget since the claim read it). Each claimed
row then gets a lane task: "typing…" until its slot (`Pacer`) → `channel.send` → record the
WhatsApp id. On Postgres a reply usually skips the claim: its decision takes it in its own
statement when the dispatcher offers that (`offer`: this node holds the lease; with a budget,
the slot read first and booked by the decision) and hands it to `adopt` for its lane — see
`outbox.Take` for when a decision falls back to the claim. A chat has at most one row in
flight, and none while a row of it waits for a retry, so its rows go strictly in order. A
failure (see `retry`) holds the chat until the retry; a row that ends FAILED gets its reason
and a `message_failed` notification, and the chat moves on. A send WhatsApp refuses also
counts toward the budget's failure-spike pause. A reconnecting number resumes its waiting rows
at once.
Webhooks hear of a send (`message.outbound`) or a failure (`message.status`) in the
transaction that records it.

Crash semantics: a decision's rows are durable before anything is sent, so rows PENDING (or
claimed, SENDING) at a crash are sent once after restart, and SENT rows never again; the slots
granted before the crash stay counted. A row caught *inside* `channel.send` is sent again: the
one window where a reply could arrive twice, as long as the send itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.aio import wait_set
from app.channels import ChannelManager
from app.db.repos import outbox_jobs as jobs
from app.db.repos.outbox import Take
from app.db.tx import transaction
from app.domain import Clock, MediaType, OutboundMessage, SessionStatus, owned_key
from app.domain.conversations import Message
from app.domain.sending import SLACK_S, SendKind
from app.events import EventBus, catalog
from app.pipeline.announce import Announcer
from app.pipeline.budget import SendBudget
from app.pipeline.pacing import Pacer, Pacing
from app.pipeline.retry import DEFAULT_WINDOW, Offline, Verdict, expired, judge
from app.pipeline.send_locks import SendLocks
from app.records import Notifier, WebhookOutbox
from app.storage import Storage
from app.storage.shared import SharedCopies

if TYPE_CHECKING:
    from app.cluster.leases import SessionLeases

log = logging.getLogger(__name__)


def outbound(job: jobs.Job, local: Path | None = None) -> OutboundMessage:
    """The row as the channel takes it: text, or a stored file with the text as caption.
    `local` is the file as the store hands it out (found by the row's URL, so a restored or
    moved row still sends); rows written before URLs were stored keep their own path."""
    media = job.media
    if not media:
        return OutboundMessage(to=job.jid, text=job.text)
    return OutboundMessage(
        to=job.jid,
        media_type=MediaType(media["type"]),
        media_path=str(local) if local is not None else media["path"],
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
        budget: SendBudget,
        *,
        webhooks: WebhookOutbox,
        poll_s: float = 1.0,
        stall_s: float = 0.0,
        window: timedelta = DEFAULT_WINDOW,
        storage: Storage | None = None,
        leases: SessionLeases | None = None,
    ) -> None:
        self._channels = channels
        self._leases = leases  # None: this process sends for every session (tests, tools)
        self._storage = storage  # None: rows' files are sent from their stored `path`
        # a broadcast's picture: one copy from the store for all its recipients
        self._copies = SharedCopies(storage) if storage is not None else None
        self._announce = Announcer(events, notifier)
        self._webhooks = webhooks
        self._send_locks = send_locks
        self._clock = clock
        self._budget = budget
        self._pacer = Pacer(pacing, clock, self._announce.typing)
        self._poll_s = poll_s
        self._stall_s = stall_s
        self.window = window
        self._wake = asyncio.Event()
        self._lanes: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._next_at: datetime | None = None  # the budget's next opening for a held-back row
        self._poll = True  # the next pass asks which sessions have rows due
        self._polled_at = -math.inf  # monotonic time it last asked
        self._hinted: set[str] = set()  # sessions woken for since the last pass
        self._passing = False  # a pass is claiming (a decision's take would conflict)
        self._held_back: set[str] = set()  # sessions whose last claim found the minute full

    def wake(self, session_id: str | None = None) -> None:
        """Rows are due: in `session_id` — a hint: the next pass claims there without first
        asking the database which sessions have rows due (a round trip on every reply's
        path) — or anywhere (None: the next pass asks). Every pass asks at least once per
        `poll_s`, so retries and budget openings elsewhere wait no longer than that."""
        if session_id is None:
            self._poll = True
        else:
            self._hinted.add(session_id)
        self._wake.set()

    async def offer(self, session_id: str, jid: str, text: str) -> Take | None:
        """An offer to the decision of a reply to `jid` (`text`): take the reply in its own
        statement (`outbox.Take`), then hand it to `adopt` — no pass, no claim on its way
        out. None while this node does not send for the session (another node holds its
        lease), is not running, or — with a send budget — while a pass is running or
        pending (its claim would write the budget row the take needs unchanged, and it
        claims the reply anyway), while the session's last claim found the minute's window
        full (rows held back go first: the claim ranks them by priority and age), or when
        the budget has no slot for it now."""
        if self._task is None or self._stopping:
            return None
        fence = None
        if self._leases is not None:
            fence = self._leases.fence(session_id)
            if fence is None:
                return None
        now, pacing = self._clock.now(), self._pacer.pacing
        due = now + timedelta(seconds=pacing.lead_for(text))
        if not self._budget.enabled:  # as `claim_unbudgeted`: the moment stored, lead in memory
            return Take(now, due, fence)
        if self._passing or self._wake.is_set() or session_id in self._held_back:
            return None
        spaced = self._pacer.not_before(session_id).get(jid)
        earliest = max(due, spaced) if spaced is not None else due
        got = await self._budget.reply_slot(
            session_id, earliest, max_lead_s=pacing.max_lead_s, fence=fence
        )
        if got is None:
            return None
        return Take(got.slot_at, got.slot_at, fence, got.ledger, got.version)

    def adopt(self, job: jobs.Job) -> None:
        """Send a row its decision took (`offer`), committed SENDING: a lane of its own, as
        a claimed row gets. Stopping, the lane gives it back (PENDING, its slot free)."""
        task = asyncio.create_task(self._lane(job))
        self._lanes.add(task)
        task.add_done_callback(self._lanes.discard)

    async def resume(self, session_id: str) -> None:
        """The number is connected again: what waited for it is due now."""
        if await jobs.resume_session(session_id, self._clock.now()):
            self.wake()

    async def start(self) -> None:
        """Without leases, rows a crash left SENDING go back to PENDING here; with them, the
        node that takes a session's lease does that for the session (another node may be
        sending the rest right now)."""
        self._stopping = False
        if self._leases is None:
            recovered = await jobs.recover_interrupted()
            if recovered:
                log.warning(
                    "%d outbox rows were interrupted mid-send; sending them again", recovered
                )
        self._task = asyncio.create_task(self._run(), name="dispatcher")

    async def stop(self, grace_s: float = 2.0) -> None:
        """Let the current pass and in-flight sends finish (a query cancelled midway would
        outlive the loop in its driver thread), then cancel whatever still waits: its rows go
        back to PENDING and their slots back to the budget."""
        self._stopping = True
        self.wake()
        tasks = [t for t in (self._task, *self._lanes) if t is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._task = None
        if self._copies is not None:
            await self._copies.clear()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            self._passing = True
            try:
                await self._schedule()
                if self._copies is not None:
                    await self._copies.sweep()  # a broadcast's copy, once its run is over
            except Exception:
                log.exception("dispatcher pass failed")
            finally:
                self._passing = False
            if not await wait_set(self._wake, self._sleep_s()):
                self._poll = True  # nobody woke it: a retry or a budget opening may be due

    def _sleep_s(self) -> float:
        """Until the next poll, or earlier when the budget opens for a held-back row (less
        the longest lead: the claim may grant a slot that far ahead)."""
        if self._next_at is None:
            return self._poll_s
        ahead = (self._next_at - self._clock.now()).total_seconds()
        return max(0.0, min(self._poll_s, ahead - self._pacer.pacing.max_lead_s))

    async def _sessions(self) -> list[str]:
        """Where this pass claims: the sessions hinted — a reply was just decided there, or
        a finished send's "sent" statement saw rows due there (Postgres) — even while other
        sends are in flight; otherwise — a wake without a hint (a send finished on SQLite,
        or failed: its chat's next row may be due, or not), a timeout, or once per `poll_s`
        — every session with rows due, and the budget's next opening is recomputed from
        them all. A hinted session has a row due for certain, so its claim is rarely empty
        (only when that row's chat has another in flight) — an empty claim costs more than
        the ask (two round trips through the send budget).
        Session 12: 11.1 → 10.8 round trips per message under load; session 15: a finished
        send with nothing due in its session wakes no pass at all."""
        hinted, self._hinted = self._hinted, set()
        quiet = time.monotonic() - self._polled_at < self._poll_s
        if self._poll or not hinted or not quiet:
            self._poll, self._polled_at, self._next_at = False, time.monotonic(), None
            return await jobs.due_sessions(self._clock.now())
        return sorted(hinted)

    async def _schedule(self) -> None:
        for session_id in await self._sessions():
            if self._stopping:
                return
            fence = None
            if self._leases is not None:
                fence = self._leases.fence(session_id)
                if fence is None:
                    continue  # another node runs this session, and sends its rows
            claim = await self._budget.claim(
                session_id,
                self._pacer.pacing.lead,
                max_lead_s=self._pacer.pacing.max_lead_s,
                not_before=self._pacer.not_before(session_id),
                fence=fence,
            )
            for job in claim.jobs:
                self.adopt(job)
            if claim.next_at is not None:
                self._next_at = min(claim.next_at, self._next_at or claim.next_at)
            if claim.crowded:
                self._held_back.add(session_id)
            else:
                self._held_back.discard(session_id)

    async def _lane(self, job: jobs.Job) -> None:
        done, more = False, None
        try:
            done, more = await self._send(job)
        except Exception:
            log.exception("dispatcher lane for outbox %s failed", job.id)
        finally:
            if not done:  # claimed, not sent: PENDING again, and the slot is free again
                with contextlib.suppress(Exception):
                    await jobs.release([job.id], self._clock.now())
                    await self._budget.refund(job)
            if not done or more is None:
                self.wake()  # the chat's next row, if any: the next pass asks where rows are due
            elif more:
                self.wake(job.session_id)  # rows due there: the next pass claims at once
            # else the "sent" statement saw nothing due in the session: no pass for this send

    async def _send(self, job: jobs.Job) -> tuple[bool, bool | None]:
        """Send one claimed row. Whether it left SENDING (sent, retrying, or failed), and
        whether its session has rows due: True or False when the "sent" statement read it
        (Postgres; the next pass claims there, or there is nothing to do for this send),
        None when unknown (the next pass asks which sessions have rows due)."""
        too_old = expired(job, self._clock.now(), self.window)
        if too_old is not None:
            await self._give_up(job, too_old)
            return True, None  # this row is done with; the chat moves on
        try:
            channel = self._channels.get(job.session_id)
            if getattr(channel, "status", SessionStatus.CONNECTED) is not SessionStatus.CONNECTED:
                raise Offline(f"WhatsApp session is {channel.status}; not connected")
            await self._pacer.until_slot(job, channel)
            late = self._stopping or self._late(job)
            await self._pacer.stop_typing(job, channel)
            if late:
                return False, None  # given back: PENDING again, its slot free; claimed anew
            if self._stall_s:
                log.warning("dispatch stall: holding outbox %s for %.0f s", job.id, self._stall_s)
                await asyncio.sleep(self._stall_s)
            # the file is fetched (from S3: a temporary copy, removed after) before the lock;
            # receipts wait on the lock until the id is stored
            async with self._media_file(job) as local, self._send_locks(job.session_id):
                wa_id = await channel.send(outbound(job, local))
                sent = await self._sent(job, wa_id)
        except Exception as exc:
            await self._failed(job, exc)
            return True, None
        log.info("sent outbox %s as %s", job.id, wa_id)
        self._pacer.sent(job)
        if sent.message is not None:
            self._announce.message(job, sent.message)
        return True, sent.more_due

    def _media_file(self, job: jobs.Job) -> AbstractAsyncContextManager[Path | None]:
        """The row's file as a real path for the channel, for the length of the send."""
        url = (job.media or {}).get("url")
        if self._storage is None or not url:
            return contextlib.nullcontext(None)
        key = owned_key(job.workspace_id, url)
        if key is None:
            raise ValueError(f"outbox {job.id}: media {url!r} is not in its workspace's folder")
        if job.kind is SendKind.BROADCAST and self._copies is not None:
            return self._copies.local_file(key)  # one file every recipient's send shares
        return self._storage.local_file(key)

    def _late(self, job: jobs.Job) -> bool:
        """Woken too long after its slot (a busy loop) to count as sent then: sending now
        could put more than the budget into some minute of real sends (`SLACK_S`)."""
        if job.slot_at is None or not self._budget.enabled:
            return False
        lag = (self._clock.now() - job.slot_at).total_seconds()
        if lag <= SLACK_S:
            return False
        log.info("outbox %s woke %.2f s after its slot; claiming a new one", job.id, lag)
        return True

    async def _failed(self, job: jobs.Job, exc: Exception) -> None:
        """Record the failure: a retry later (holding the chat), or FAILED for good."""
        verdict = judge(job, exc, self._clock.now(), self.window)
        if verdict.attempt:  # WhatsApp saw it: counts toward a failure spike
            await self._budget.failed(job, exc)
        if verdict.retry_at is None:
            await self._give_up(job, verdict)
            return
        log.warning("outbox %s: %s; retry at %s", job.id, verdict.reason, verdict.retry_at)
        if not verdict.attempt:
            await self._budget.refund(job)
        await jobs.mark_retry(job, verdict.retry_at, verdict.reason, attempt=verdict.attempt)

    async def _give_up(self, job: jobs.Job, verdict: Verdict) -> None:
        log.error("outbox %s failed for good: %s", job.id, verdict.reason)
        if not verdict.attempt:
            await self._budget.refund(job)
        async with transaction():
            message = await jobs.mark_failed(job, verdict.reason, attempt=verdict.attempt)
            await self._tell_webhooks(job, message)
        await self._announce.failed(job, message, verdict.reason)

    async def _sent(self, job: jobs.Job, wa_id: str) -> jobs.Sent:
        """Record the send, and what webhooks hear of it, as one."""
        async with await self._webhooks.joined(job.workspace_id):
            sent = await jobs.mark_sent(job, wa_id, self._clock.now())
            await self._tell_webhooks(job, sent.message)
        return sent

    async def _tell_webhooks(self, job: jobs.Job, message: Message | None) -> None:
        if message is not None:
            await self._webhooks.record(catalog.message_updated(job.workspace_id, message))
