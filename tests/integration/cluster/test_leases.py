"""Session leases in the database (app/db/repos/leases.py), on SQLite and Postgres: concurrent
nodes never share a lease, an expired lease goes to the next claimer with a higher token, and a
node with a stale token claims no outbox rows (the fencing check in the claim's transaction)."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import datetime, timedelta

import pytest
from piccolo.engine.base import Engine

from app.db.repos import leases
from app.db.repos import send_budget as budget
from app.db.repos.leases import Fence
from app.db.tables import SessionLease, WhatsappSession
from app.domain.sending import BudgetDefaults
from app.domain.time import utcnow
from tests.integration.db.graph import build


async def test_concurrent_nodes_never_share_a_lease(db: Engine) -> None:
    g = await build()
    for i in range(11):
        await WhatsappSession(workspace_id=g.workspace.id, account_id=f"n{i}").save()
    now = utcnow()
    await leases.ensure_rows(now)
    until = now + timedelta(seconds=15)
    claims = [leases.claim(f"node-{n % 4}", now, until, 12) for n in range(16)]
    taken = [t for batch in await asyncio.gather(*claims) for t in batch]
    assert sorted(t.session_id for t in taken) == sorted(
        r["id"] for r in await WhatsappSession.select(WhatsappSession.id)
    )  # every session once, by exactly one claimer
    rows = {r["session_id"]: r for r in await SessionLease.select()}
    for t in taken:
        assert rows[t.session_id]["token"] == t.token
        assert await leases.holds(t.session_id, rows[t.session_id]["node_id"], t.token, now)
    assert await leases.claim("node-9", now, until, 12) == []  # nothing free, nothing expired


async def test_an_expired_lease_moves_on_and_fences_its_old_holder(db: Engine) -> None:
    g = await build()
    session = g.session.id
    now = utcnow() + timedelta(minutes=1)  # the graph's outbox row is due
    (first,) = await leases.claim("node-x", now, now + timedelta(seconds=3), 1)
    assert (first.session_id, first.was) == (session, "")
    assert await leases.claim("node-y", now + timedelta(seconds=2), now, 1) == []  # not yet
    later = now + timedelta(seconds=4)
    (second,) = await leases.claim("node-y", later, later + timedelta(seconds=3), 1)
    assert (second.was, second.token) == ("node-x", first.token + 1)

    def lead(_job: object) -> float:
        return 0.0

    stale = await budget.claim_unbudgeted(session, later, lead, Fence("node-x", first.token))
    assert stale.jobs == []  # node x lost the lease: it sends nothing
    assert await leases.renew("node-x", later, later) == {}  # and learns so on its next beat
    fresh = await budget.claim_unbudgeted(session, later, lead, Fence("node-y", second.token))
    assert [j.session_id for j in fresh.jobs] == [session]


async def test_release_frees_at_once_and_disabled_sessions_are_given_up(db: Engine) -> None:
    g = await build()
    now = utcnow()
    until = now + timedelta(seconds=15)
    assert [t.session_id for t in await leases.claim("node-x", now, until, 5)] == [g.session.id]
    assert await leases.release("node-x", now) == [g.session.id]
    (taken,) = await leases.claim("node-y", now, until, 5)  # well before the timeout
    assert taken.was == ""
    await WhatsappSession.update({WhatsappSession.enabled: False}).where(
        WhatsappSession.id == g.session.id
    )
    assert await leases.drop_disabled("node-y", now) == [g.session.id]
    assert await leases.claim("node-x", now, until, 5) == []  # switched off: nobody runs it


class Sessions:
    """The lease keeper's runner (the SessionHub's part): remembers what it opened and closed."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.closed: list[tuple[str, bool]] = []

    async def run_leased(self, session_id: str) -> bool:
        self.opened.append(session_id)
        return True

    async def close(self, session_id: str, *, logout: bool = False) -> None:
        self.closed.append((session_id, logout))


async def test_a_session_deleted_elsewhere_is_logged_out_where_it_runs(db: Engine) -> None:
    from app.cluster import SessionLeases
    from app.domain import SystemClock

    g = await build()
    other = WhatsappSession(workspace_id=g.workspace.id, account_id="second")
    await other.save()
    runner = Sessions()
    keeper = SessionLeases("node-a", SystemClock(), ttl_s=60, heartbeat_s=30)
    assert await keeper.start(runner) == 2
    try:
        assert sorted(runner.opened) == sorted([g.session.id, other.id])
        # another node deletes one session: its lease row goes with it
        await WhatsappSession.delete().where(WhatsappSession.id == g.session.id)
        # another node takes the other one over (as after our lease had lapsed)
        later = utcnow() + timedelta(seconds=61)
        await leases.claim("node-b", later, later + timedelta(seconds=60), 1, other.id)
        await keeper.tick()
        assert sorted(runner.closed) == sorted([(g.session.id, True), (other.id, False)])
        assert keeper.held == {}
    finally:
        await keeper.stop()


@pytest.mark.parametrize("budgeted", [True, False], ids=["budget", "no-budget"])
async def test_the_claim_checks_the_fence_in_its_own_statement(db: Engine, budgeted: bool) -> None:
    """Both claims fold the fencing check into a statement they run anyway (the budget row's
    read, or the heads): a stale token still claims nothing, and on Postgres the lease row
    stays share-locked until the claim commits — no node takes the lease over meanwhile."""
    g = await build()
    session = g.session.id
    now = utcnow() + timedelta(minutes=1)  # the graph's outbox row is due
    (first,) = await leases.claim("node-x", now, now + timedelta(seconds=3), 1)

    async def claim(fence: Fence, at: datetime) -> list[str]:
        if budgeted:
            got = await budget.claim(session, at, BudgetDefaults(), lambda _j: 0.0, fence=fence)
        else:
            got = await budget.claim_unbudgeted(session, at, lambda _j: 0.0, fence)
        return [j.id for j in got.jobs]

    assert await claim(Fence("node-x", first.token + 1), now) == []  # a token it never had
    expired = now + timedelta(seconds=4)
    assert await claim(Fence("node-x", first.token), expired) == []  # lapsed: not ours
    if db.engine_type == "sqlite":
        assert await claim(Fence("node-x", first.token), now) != []
        return
    async with db.transaction():  # the claim's transaction, held open
        assert await claim(Fence("node-x", first.token), now) != []
        # node y (its own connection: a fresh context, outside this transaction), after the
        # lease lapsed, cannot take it while the claim is not committed
        other = leases.claim("node-y", expired, expired + timedelta(seconds=3), 1)
        assert await asyncio.create_task(other, context=contextvars.Context()) == []
    (second,) = await leases.claim("node-y", expired, expired + timedelta(seconds=3), 1)
    assert second.was == "node-x"
