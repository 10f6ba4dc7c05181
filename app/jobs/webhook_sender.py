"""The webhook sender: claims due deliveries, sends each (signed, through the SSRF guard),
records the outcome.

- Outcomes: a 2xx is DELIVERED; anything else is tried again after the next delay of the
  backoff ladder (±10 % jitter) until the ladder ends, then FAILED; 410 Gone is FAILED at once
  and switches the webhook off. Retry times are rows, so they survive restarts.
- A webhook whose attempts failed `disable_after` times in a row, over at least
  `disable_min`, is switched off (`disabledReason`), what waits for it is FAILED, and the
  workspace is notified (`webhook_disabled`).
- Claims are leases (`app.db.repos.webhooks`): no two senders — two nodes — take one row, and
  a row whose sender died is sent by another once the lease passes. A delivery is therefore
  sent at least once; `X-Aimy-Delivery` lets receivers drop the rare second copy.
- Order: a conversation's deliveries to one webhook go one after the other (the claim only
  offers a row when the ones before it are settled), so a retry holds the ones behind it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from app.aio import wait_set
from app.db.repos import webhooks as repo
from app.db.tx import transaction
from app.domain import Clock, DeliveryStatus
from app.events import catalog
from app.jobs.webhook_call import Attempt, post
from app.net import Egress
from app.records import Notifier, Subscriptions
from app.secrets import Cipher, unseal
from app.settings import Settings

log = logging.getLogger(__name__)
JITTER = 0.1
RELEASE_EVERY_S = 1.0


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard to try (the install's `webhook_*` settings)."""

    backoff: tuple[timedelta, ...] = tuple(
        timedelta(seconds=s) for s in (60, 300, 1800, 7200, 21600)
    )
    timeout_s: float = 10.0
    concurrency: int = 10
    disable_after: int = 10
    disable_min: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=60)
    poll_s: float = 1.0
    gather_s: float = 0.05
    stall_s: float = 0.0

    @classmethod
    def from_settings(cls, s: Settings) -> DeliveryPolicy:
        return cls(
            backoff=tuple(timedelta(seconds=d) for d in s.webhook_backoff_s),
            timeout_s=s.webhook_timeout_s,
            concurrency=max(1, s.webhook_concurrency),
            disable_after=max(1, s.webhook_disable_after),
            disable_min=timedelta(seconds=s.webhook_disable_min_s),
            lease=timedelta(seconds=max(s.webhook_lease_s, 3 * s.webhook_timeout_s)),
            poll_s=s.webhook_poll_s,
            stall_s=s.webhook_stall_s,
        )

    @property
    def max_attempts(self) -> int:
        return len(self.backoff) + 1

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based), with jitter."""
        base = self.backoff[min(attempts, len(self.backoff)) - 1]
        return base * (1 + random.uniform(-JITTER, JITTER))  # spreads retries; not a secret


class WebhookSender:
    def __init__(
        self,
        clock: Clock,
        egress: Egress,
        cipher: Cipher,
        notifier: Notifier,
        subscriptions: Subscriptions,
        policy: DeliveryPolicy,
    ) -> None:
        self._clock = clock
        self._egress = egress
        self._cipher = cipher  # opens the webhooks' sealed signing secrets
        self._notifier = notifier  # webhook_disabled
        self._subscriptions = subscriptions  # dropped for a workspace whose webhook goes off
        self.policy = policy
        self._http: httpx.AsyncClient | None = None
        self._making = asyncio.Lock()
        self._next_release = 0.0  # monotonic time of the next look for expired claims
        self._gather = False  # the last wake-up asks to wait `gather_s` first
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.attempted = 0  # attempts made by this sender (benchmarks, tests)

    def wake(self) -> None:
        """Rows may be due now (they are also found by polling). The sender looks after
        `gather_s`: the change that wrote them is usually still being handled (a reply on
        its way out), and its events are posted in one go after it, not in its way."""
        if not self._wake.is_set():
            self._wake.set()
            self._gather = True

    def _wake_now(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="webhook-sender")

    async def stop(self, grace_s: float = 2.0) -> None:
        """Let in-flight sends finish briefly; a send cut short is sent again later (its
        lease passes)."""
        self._stopping = True
        self._wake_now()
        tasks = [t for t in (self._task, *self._inflight) if t is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _client(self) -> httpx.AsyncClient:
        """The guarded client all deliveries share (connections are kept alive). Made in a
        thread on first use: building its TLS context takes tens of milliseconds, which on
        the event loop would stall the message path."""
        async with self._making:
            if self._http is None:
                limits = httpx.Limits(max_connections=self.policy.concurrency * 2)
                self._http = await asyncio.to_thread(
                    self._egress.httpx_client,
                    follow_redirects=True,
                    max_redirects=3,
                    limits=limits,
                )
        return self._http

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._pass()
            except Exception:
                log.exception("webhook sender pass failed")
            await wait_set(self._wake, self.policy.poll_s)
            if self._gather and not self._stopping:
                self._gather = False
                await asyncio.sleep(self.policy.gather_s)

    async def _pass(self) -> None:
        now = self._clock.now()
        if time.monotonic() >= self._next_release:  # a dead sender's claims: now and then
            self._next_release = time.monotonic() + RELEASE_EVERY_S
            if released := await repo.release_expired(now):
                log.warning("%d webhook deliveries were claimed by a sender that stopped", released)
        free = self.policy.concurrency - len(self._inflight)
        if free <= 0:
            return
        claimed = await repo.claim(now, self.policy.lease, free)
        if not claimed:
            return
        targets = await repo.targets({c.webhook_id for c in claimed})
        for delivery in claimed:
            task = asyncio.create_task(self._deliver(delivery, targets.get(delivery.webhook_id)))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        if len(claimed) == free:
            self._wake_now()  # there may be more

    def _done(self, task: asyncio.Task[None]) -> None:
        """A slot is free, and the next of its conversation may go now. Claims are made for
        half the slots at a time (one query for many rows) unless little is in flight —
        a conversation's next delivery then waits for no one."""
        self._inflight.discard(task)
        if len(self._inflight) <= self.policy.concurrency // 2:
            self._wake_now()

    async def _deliver(self, delivery: repo.Claimed, target: repo.Target | None) -> None:
        try:
            if target is None:
                return  # the webhook was deleted meanwhile (its rows went with it)
            if self.policy.stall_s:
                log.warning("webhook stall: holding delivery %s", delivery.id)
                await asyncio.sleep(self.policy.stall_s)
            attempt = await self.attempt(delivery, target)
            await self._settle(delivery, target, attempt)
        except Exception:
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)

    async def attempt(self, delivery: repo.Claimed, target: repo.Target) -> Attempt:
        """Sign and POST `delivery` to `target` once."""
        try:
            secret = unseal(self._cipher, target.secret or "", target.id)
        except ValueError:
            return Attempt(None, 0, "the signing secret cannot be read (master key changed?)")
        self.attempted += 1
        attempt = await post(
            await self._client(),
            target.url,
            secret,
            delivery.body,
            delivery.event_type,
            delivery.id,
            timeout_s=self.policy.timeout_s,
        )
        outcome = attempt.status_code or attempt.error
        level = logging.DEBUG if attempt.ok else logging.INFO
        log.log(level, "webhook delivery %s to %s: %s", delivery.id, target.id, outcome)
        return attempt

    async def _settle(self, delivery: repo.Claimed, target: repo.Target, attempt: Attempt) -> None:
        now = self._clock.now()
        if attempt.ok:
            async with transaction():
                if await _settle(delivery, DeliveryStatus.DELIVERED, now, attempt):
                    await repo.healthy(target.id, now)
            return
        attempts = delivery.attempts + 1
        final = attempt.gone or attempts >= self.policy.max_attempts
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        next_at = None if final else now + self.policy.delay(attempts)
        async with transaction():
            if not await _settle(delivery, status, now, attempt, next_at):
                return  # our lease ran out and another sender has it
            failures, since, active = await repo.failing(target.id, now)
        if attempt.gone:
            await self._disable(target, "the receiver answered 410 Gone", failures)
        elif (
            active
            and failures >= self.policy.disable_after
            and since is not None
            and now - since >= self.policy.disable_min
        ):
            reason = f"{failures} failed attempts in a row since {since:%Y-%m-%d %H:%M} UTC"
            await self._disable(target, reason, failures)

    async def _disable(self, target: repo.Target, reason: str, failures: int) -> None:
        if not await repo.disable(target.id, reason, self._clock.now()):
            return  # off already
        log.warning("webhook %s disabled: %s", target.id, reason)
        self._subscriptions.invalidate(target.workspace_id)
        notice = catalog.webhook_disabled(target.id, target.name, target.url, reason, failures)
        await self._notifier.notify(target.workspace_id, notice)


async def _settle(
    delivery: repo.Claimed,
    status: DeliveryStatus,
    now: datetime,
    attempt: Attempt,
    next_at: datetime | None = None,
) -> bool:
    return await repo.settle(
        delivery,
        status,
        now,
        status_code=attempt.status_code,
        duration_ms=attempt.duration_ms,
        error=attempt.error,
        next_at=next_at,
    )
