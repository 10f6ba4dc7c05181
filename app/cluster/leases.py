"""Session leases: each WhatsApp session runs on exactly one node (issue 18 item 2).

A keeper task per node, every `heartbeat_s`: it beats the node's row, pushes on the leases it
holds (`renew`) and notices the ones it lost — another node took them after ours expired — and
stops running those at once (a session deleted through another node is also logged out
here, where its worker runs); it gives up the sessions a person switched off; then it evens
out: up to its fair share (ceil(enabled sessions / live nodes)) it claims free or expired
leases and opens their channels; above it, it hands one session back per pass (channel
stopped first, then the lease freed, so another node takes it on its next pass).

A claim raises the lease's fencing token. The dispatcher claims outbox rows only for sessions
held here, and under `fence(session)`: the claim's transaction checks the token, so a node
that lost a lease — paused too long, cut off from the database — sends nothing more.
Taking over a session puts the rows its previous holder left SENDING back to PENDING (they
go out once, from here). A graceful stop stops the channels, then frees every lease and the
node row, and signals the other nodes (`on_freed`): they take over at once instead of
after the timeout.

Times come from each node's clock; nodes are expected to keep time (NTP), as Postgres
servers do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from app.aio import wait_set
from app.db.repos import leases as repo
from app.db.repos import outbox_jobs
from app.db.repos.leases import Fence, Taken
from app.domain import Clock

log = logging.getLogger(__name__)


class Runner(Protocol):
    """What the keeper starts and stops sessions with (the SessionHub)."""

    async def run_leased(self, session_id: str) -> bool: ...

    async def close(self, session_id: str, *, logout: bool = False) -> None: ...


class SessionLeases:
    def __init__(
        self,
        node_id: str,
        clock: Clock,
        *,
        ttl_s: float = 15.0,
        heartbeat_s: float = 3.0,
        url: str = "",
    ) -> None:
        if heartbeat_s * 2 > ttl_s:
            raise ValueError("lease_heartbeat_s must be at most half of lease_ttl_s")
        self.node_id = node_id
        self.url = url  # where the other nodes forward requests for sessions that run here
        self._clock = clock
        self.ttl = timedelta(seconds=ttl_s)
        self.heartbeat_s = heartbeat_s
        self._held: dict[str, int] = {}  # session id → fencing token
        self.live_nodes = 0  # as of the last pass (0: not looked yet)
        self._runner: Runner | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._poked = asyncio.Event()
        # called after this node freed leases (the bridge tells the other nodes to look now)
        self.on_freed: Callable[[], None] | None = None
        # called after this node took sessions over: recovery routes what they left unrouted,
        # the dispatcher sends what their last node had claimed
        self.on_taken: Callable[[], None] | None = None

    def poke(self) -> None:
        """Another node freed leases: run a pass now instead of at the next heartbeat."""
        self._poked.set()

    # what the dispatcher and the hub ask
    def holds(self, session_id: str) -> bool:
        return session_id in self._held

    def fence(self, session_id: str) -> Fence | None:
        token = self._held.get(session_id)
        return None if token is None else Fence(self.node_id, token)

    @property
    def held(self) -> dict[str, int]:
        return dict(self._held)

    async def start(self, runner: Runner) -> int:
        """Free what a previous life of this node still holds, take this node's share, open
        it, and keep doing so in the background; returns how many sessions run here."""
        self._runner = runner
        now = self._clock.now()
        await repo.release(self.node_id, now)
        await self.tick()
        self._task = asyncio.create_task(self._run(), name="session-leases")
        return len(self._held)

    async def stop(self) -> None:
        """Stop the keeper (the channels stop next; then `release_all`)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def release_all(self) -> None:
        """Graceful stop, after the channels stopped: the others may take over at once."""
        self._held.clear()
        with contextlib.suppress(Exception):
            freed = await repo.release(self.node_id, self._clock.now())
            await repo.forget_node(self.node_id)
            if freed:
                log.info("released %d session leases", len(freed))
                self._freed()

    async def acquire(self, session_id: str) -> bool:
        """A person starts the session here (create, connect, pair): take its lease when it
        is free or expired, whatever the share (the keepers even out later). False: another
        node runs it."""
        async with self._lock:
            if session_id in self._held:
                return True
            now = self._clock.now()
            await repo.ensure_rows(now)
            taken = await repo.claim(self.node_id, now, now + self.ttl, 1, session_id)
            for lease in taken:
                await self._took(lease, open_channel=False)
            if taken and self.on_taken is not None:
                self.on_taken()
            return bool(taken)

    async def _run(self) -> None:
        while True:
            await wait_set(self._poked, self.heartbeat_s)
            self._poked.clear()
            try:
                await self.tick()
            except Exception:
                log.exception("session lease pass failed")

    async def tick(self) -> None:
        async with self._lock:
            await self._tick()

    async def _tick(self) -> None:
        assert self._runner is not None
        now = self._clock.now()
        await repo.beat(self.node_id, now, self.url)
        await repo.ensure_rows(now)
        for session_id in await repo.drop_disabled(self.node_id, now):
            await self._lost(session_id, "switched off")
        renewed = await repo.renew(self.node_id, now, now + self.ttl)
        for session_id in set(self._held) - set(renewed):
            if await repo.session_exists(session_id):
                await self._lost(session_id, "taken over by another node")
            else:  # deleted on another node: unlink the number here, where its worker runs
                await self._lost(session_id, "deleted", logout=True)
        self._held.update(renewed)
        share = await self._share()
        if len(self._held) < share:
            room = share - len(self._held)
            taken = await repo.claim(self.node_id, now, now + self.ttl, room)
            for lease in taken:
                await self._took(lease, open_channel=True)
            if taken and self.on_taken is not None:
                self.on_taken()
        elif len(self._held) > share:
            await self._hand_back(max(self._held))

    async def _share(self) -> int:
        live = self.live_nodes = await repo.live_nodes(self._clock.now() - self.ttl)
        sessions = await repo.enabled_sessions()
        return math.ceil(sessions / max(1, live))

    async def _took(self, lease: Taken, *, open_channel: bool) -> None:
        self._held[lease.session_id] = lease.token
        requeued = await outbox_jobs.recover_session(lease.session_id)
        log.info(
            "session %s: lease taken (token %d, from %s)%s",
            lease.session_id,
            lease.token,
            lease.was or "nobody",
            f"; {requeued} outbox rows interrupted mid-send go out again" if requeued else "",
        )
        if open_channel and self._runner is not None:
            try:
                opened = await self._runner.run_leased(lease.session_id)
            except Exception:
                log.exception("session %s could not be opened", lease.session_id)
                opened = False
            if not opened:  # someone else may have better luck (or the row is gone)
                self._held.pop(lease.session_id, None)
                await repo.release(self.node_id, self._clock.now(), [lease.session_id])

    async def _lost(self, session_id: str, why: str, *, logout: bool = False) -> None:
        """Stop running a session whose lease is no longer ours (forgotten first, so the
        channel's last status is not written over the new holder's, nor its credentials);
        `logout`: the session was deleted, so the device is unlinked too."""
        self._held.pop(session_id, None)
        log.warning("session %s: lease lost (%s); stopping it here", session_id, why)
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.close(session_id, logout=logout)

    async def _hand_back(self, session_id: str) -> None:
        """More than our share: stop one session and free its lease for a node with room."""
        log.info("session %s: handing over to even out the nodes", session_id)
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.close(session_id)
        self._held.pop(session_id, None)
        await repo.release(self.node_id, self._clock.now(), [session_id])
        self._freed()

    def _freed(self) -> None:
        if self.on_freed is not None:
            self.on_freed()
