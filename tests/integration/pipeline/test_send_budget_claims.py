"""The send budget's claim against a real database (SQLite and Postgres): many concurrent
claimers — separate connections on Postgres, as separate nodes would be — never get more
slots than the budget has, never the same row twice, and a chat never has two rows in flight.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from piccolo.engine.base import Engine

from app.db import fast
from app.db.repos import leases, mapping, outbox_jobs, send_budget
from app.db.tables import Outbox, SendBudget, SessionLease, WhatsappSession, Workspace
from app.domain import OutboxStatus, new_id
from app.domain.sending import SPAN_S, BudgetDefaults, Ledger, SendKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DEFAULTS = BudgetDefaults(per_minute=60, per_day=10_000, cold_per_day=10_000)


async def _session() -> tuple[str, str]:
    ws = Workspace(name="W", slug=new_id())
    await ws.save()
    session = WhatsappSession(workspace_id=ws.id, account_id="default", channel="simulator")
    await session.save()
    return ws.id, session.id


async def _queue(ws: str, session: str, jid: str, kind: SendKind = SendKind.REPLY, n: int = 1):  # type: ignore[no-untyped-def]
    for i in range(n):
        await Outbox(
            workspace_id=ws,
            session_id=session,
            jid=jid,
            payload={"text": f"{kind} {i}"},
            kind=kind,
            priority=kind.priority,
            next_attempt_at=NOW - timedelta(seconds=1),
            created_at=NOW - timedelta(seconds=1) + timedelta(microseconds=i),
        ).save()


def _no_lead(_job: object) -> float:
    return 0.0


async def test_concurrent_claimers_never_exceed_the_minute_and_never_share_a_row(
    db: Engine,
) -> None:
    ws, session = await _session()
    for chat in range(200):
        await _queue(ws, session, f"{chat}@s.whatsapp.net")

    async def claimer() -> list[str]:
        got: list[str] = []
        while True:
            claim = await send_budget.claim(session, NOW, DEFAULTS, _no_lead, limit=7)
            if not claim.jobs:
                return got
            got += [j.id for j in claim.jobs]

    results = await asyncio.gather(*(claimer() for _ in range(20)))
    granted = [job for got in results for job in got]
    assert len(granted) == 60 == len(set(granted))
    sending = await Outbox.count().where(Outbox.status == OutboxStatus.SENDING)
    assert sending == 60
    row = await SendBudget.select().where(SendBudget.session_id == session).first()
    assert row is not None and row["day_sent"] == 60

    # a minute (and the slack) later the window holds the next 60, not more
    later = NOW + timedelta(seconds=SPAN_S)
    claims = await asyncio.gather(
        *(send_budget.claim(session, later, DEFAULTS, _no_lead) for _ in range(10))
    )
    assert sum(len(c.jobs) for c in claims) == 60
    assert {c.next_at for c in claims if not c.jobs} == {later + timedelta(seconds=SPAN_S)}


async def test_a_chat_has_one_row_in_flight_and_higher_priorities_go_first(db: Engine) -> None:
    ws, session = await _session()
    await _queue(ws, session, "a@s.whatsapp.net", SendKind.REPLY, n=3)
    await _queue(ws, session, "b@s.whatsapp.net", SendKind.BROADCAST)
    await _queue(ws, session, "c@s.whatsapp.net", SendKind.SEND_FIRST)
    await _queue(ws, session, "d@s.whatsapp.net", SendKind.FLOW)
    await _queue(ws, session, "e@s.whatsapp.net", SendKind.HUMAN)
    tight = BudgetDefaults(per_minute=3, per_day=100, cold_per_day=100)
    claim = await send_budget.claim(session, NOW, tight, _no_lead)
    assert [(j.jid[0], j.kind) for j in claim.jobs] == [
        ("a", SendKind.REPLY),  # one of chat a's three: the first
        ("e", SendKind.HUMAN),
    ]  # the flow's slot comes 60 s / 3 after the last: what we start goes evenly
    assert claim.jobs[0].text == "reply 0"
    # chat a still has a row in flight: nothing more of it; then one every 20 s, by priority
    later = []
    for s in (61, 81, 101):
        again = await send_budget.claim(session, NOW + timedelta(seconds=s), tight, _no_lead)
        later.append([j.jid[0] for j in again.jobs])
    assert later == [["d"], ["c"], ["b"]]


async def test_a_paused_session_gets_nothing_until_resumed(db: Engine) -> None:
    ws, session = await _session()
    await _queue(ws, session, "a@s.whatsapp.net")
    assert await send_budget.pause(session, "test", NOW)
    assert not await send_budget.pause(session, "again", NOW)  # paused once
    claim = await send_budget.claim(session, NOW, DEFAULTS, _no_lead)
    assert claim.paused and claim.jobs == []
    assert await send_budget.resume(session)
    assert len((await send_budget.claim(session, NOW, DEFAULTS, _no_lead)).jobs) == 1


async def test_the_chat_check_on_postgres_reads_only_rows_in_flight(db: Engine) -> None:
    """The claim's chat check stays a per-candidate subplan over the partial chat index (rows
    SENDING or PENDING only, m0035): as an anti join, a planner with stale statistics read
    the chat index by `session_id` alone — every row the number ever sent, per candidate.
    Candidates in a chat with a row in flight never reach it."""
    if db.engine_type == "sqlite":
        return  # SQLite is told its indexes (INDEXED BY); nothing here applies
    ws, session = await _session()
    await _queue(ws, session, "1@s.whatsapp.net", n=50)
    await Outbox.update({Outbox.status: OutboxStatus.SENT}).where(Outbox.session_id == session)
    await _queue(ws, session, "1@s.whatsapp.net")
    await _queue(ws, session, "2@s.whatsapp.net", n=2)

    sql, args = send_budget.heads_statement(session, NOW, 4, True, 100)
    plan = "\n".join(r["QUERY PLAN"] for r in await fast.execute(Outbox, "EXPLAIN " + sql, *args))
    assert "Anti Join" not in plan and "SubPlan" in plan, plan
    # a candidate whose chat has a row in flight is dropped by a hashed set first, before
    # its chat check (Postgres orders a scan's filters by cost): a backlog waiting behind
    # rows in flight is not checked row by row (session 12: 8,700 → 970 buffers per claim)
    (scan,) = [line for line in plan.splitlines() if "hashed SubPlan" in line][:1]
    assert scan.index("hashed SubPlan") < scan.index("NOT (SubPlan"), plan
    (index,) = await fast.execute(
        Outbox,
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_outbox_chat_open' "
        "AND schemaname = current_schema()",  # not another test's or benchmark's schema
    )
    assert "(session_id, jid) WHERE" in index["indexdef"], index
    assert "'SENDING'" in index["indexdef"] and "'PENDING'" in index["indexdef"], index
    heads = await fast.execute(Outbox, sql, *args)
    assert sorted(h["jid"] for h in heads) == ["1@s.whatsapp.net", "2@s.whatsapp.net"]


async def test_a_claim_on_postgres_writes_nothing_if_the_budget_changed_since_its_read(
    db: Engine,
) -> None:
    """Postgres claims without holding the budget row's lock (no BEGIN, no COMMIT): the
    ledger's write, and with it every take, happens only if the row is the version the
    claim read. A pause committed in between — or another claim, a refund — leaves the
    rows PENDING and the ledger as it was, and the claim reads again."""
    if db.engine_type == "sqlite":
        return  # SQLite claims inside BEGIN IMMEDIATE: nobody writes in between
    ws, session = await _session()
    await _queue(ws, session, "a@s.whatsapp.net")
    await send_budget.ensure(session, NOW)
    row = await send_budget._claim_read(session, None, NOW, lock=False)
    assert row is not None
    assert await send_budget.pause(session, "a ban, between the read and the write", NOW)
    (head,) = await send_budget._heads(session, NOW, 4, True, 10)
    write = send_budget._saving(session, Ledger([NOW.timestamp()], "", 1, 0), NOW)
    taken = await send_budget._take_if_unchanged(
        [(NOW, head["id"])], write, row["budget_xmin"], session, None, NOW
    )
    assert taken is None
    assert await Outbox.count().where(Outbox.status == OutboxStatus.SENDING) == 0
    budget = await SendBudget.select().where(SendBudget.session_id == session).first()
    assert budget is not None and budget["day_sent"] == 0
    claim = await send_budget.claim(session, NOW, DEFAULTS, _no_lead)  # reads again
    assert claim.paused and claim.jobs == []
    assert await send_budget.resume(session)
    # the same write against the version it now has goes through
    row = await send_budget._claim_read(session, None, NOW, lock=False)
    assert row is not None
    taken = await send_budget._take_if_unchanged(
        [(NOW, head["id"])], write, row["budget_xmin"], session, None, NOW
    )
    assert taken == {head["id"]}
    budget = await SendBudget.select().where(SendBudget.session_id == session).first()
    assert budget is not None and budget["day_sent"] == 1


async def test_a_claim_on_postgres_takes_nothing_once_its_fence_is_lost(db: Engine) -> None:
    """The lease is checked again in the write's own statement (share-locked there, so a
    takeover waits for it): a node that lost the lease after the claim's reads writes no
    ledger and takes no row."""
    if db.engine_type == "sqlite":
        return
    ws, session = await _session()
    await _queue(ws, session, "a@s.whatsapp.net")
    await leases.ensure_rows(NOW)
    (lease,) = await leases.claim("node-a", NOW, NOW + timedelta(seconds=30), 1, session)
    fence = leases.Fence("node-a", lease.token)
    row = await send_budget._claim_read(session, fence, NOW, lock=False)
    assert row is not None and row["fenced"]
    (head,) = await send_budget._heads(session, NOW, 4, True, 10)
    await leases.claim("node-b", NOW + timedelta(seconds=31), NOW + timedelta(seconds=61), 1)
    write = send_budget._saving(session, Ledger([NOW.timestamp()], "", 1, 0), NOW)
    taken = await send_budget._take_if_unchanged(
        [(NOW, head["id"])], write, row["budget_xmin"], session, fence, NOW
    )
    assert taken is None
    assert await Outbox.count().where(Outbox.status == OutboxStatus.SENDING) == 0
    claim = await send_budget.claim(session, NOW, DEFAULTS, _no_lead, fence=fence)
    assert claim.jobs == []


async def test_unbudgeted_claimers_at_once_never_share_a_row_nor_a_chat(db: Engine) -> None:
    """Without a budget a claim on Postgres is one statement (the heads and their takes):
    claimers at once, on separate connections, each take a row only if it is still PENDING
    when their UPDATE reaches it, so no row goes twice — and a chat's second row waits for
    its first whoever claims."""
    ws, session = await _session()
    for chat in range(60):
        await _queue(ws, session, f"{chat}@s.whatsapp.net", n=2)
    await _queue(ws, session, "60@s.whatsapp.net", SendKind.BROADCAST, n=2)

    async def claimer() -> list[str]:
        got: list[str] = []
        for _ in range(50):
            claim = await send_budget.claim_unbudgeted(session, NOW, _no_lead)
            got += [j.id for j in claim.jobs]
            await asyncio.sleep(0)
        return got

    results = await asyncio.gather(*(claimer() for _ in range(20)))
    granted = [job for got in results for job in got]
    assert len(granted) == 61 == len(set(granted))  # each chat's first row, once
    taken = await Outbox.select(Outbox.jid, Outbox.payload).where(
        Outbox.status == OutboxStatus.SENDING
    )
    assert sorted(r["jid"] for r in taken) == sorted(f"{c}@s.whatsapp.net" for c in range(61))
    texts = {mapping.json_value(r["payload"], {})["text"] for r in taken}
    assert texts == {"reply 0", "broadcast 0"}
    await Outbox.update({Outbox.status: OutboxStatus.SENT}).where(
        Outbox.status == OutboxStatus.SENDING
    )
    again = await asyncio.gather(*(claimer() for _ in range(5)))
    assert len([j for got in again for j in got]) == 61  # then each chat's second


async def test_an_unbudgeted_backlog_takes_the_rest_only_while_the_fence_holds(db: Engine) -> None:
    """More heads than one statement takes (`_TAKEN_AT_ONCE`): the rest go in a second
    statement that checks the lease again — a node that lost it in between takes none."""
    if db.engine_type == "sqlite":
        return  # SQLite claims in one transaction
    ws, session = await _session()
    for chat in range(send_budget._TAKEN_AT_ONCE + 3):
        await _queue(ws, session, f"{chat}@s.whatsapp.net")
    await leases.ensure_rows(NOW)
    (lease,) = await leases.claim("node-a", NOW, NOW + timedelta(seconds=30), 1, session)
    fence = leases.Fence("node-a", lease.token)
    sql, args = send_budget.take_heads_statement(session, NOW, 200, fence)
    rows = await fast.execute(Outbox, sql, *args)
    assert [r["taken"] for r in rows] == [True] * send_budget._TAKEN_AT_ONCE + [False] * 3
    await leases.claim("node-b", NOW + timedelta(seconds=31), NOW + timedelta(seconds=61), 1)
    rest = [(NOW, r["id"]) for r in rows if not r["taken"]]
    assert await send_budget._take(rest, fence=(session, fence, NOW)) == set()
    assert await Outbox.count().where(Outbox.status == OutboxStatus.SENDING) == 4
    # the node that holds the lease now takes them
    (now_b,) = await SessionLease.select().where(SessionLease.session_id == session)
    claim = await send_budget.claim_unbudgeted(
        session, NOW + timedelta(seconds=32), _no_lead, leases.Fence("node-b", now_b["token"])
    )
    assert len(claim.jobs) == 3


async def test_the_sent_mark_tells_whether_the_session_has_rows_due(db: Engine) -> None:
    """`outbox_jobs.mark_sent` reads, in its own statement on Postgres, whether the session
    still has rows due — the dispatcher's next pass claims there, or skips this send; SQLite
    does not read it (None: the dispatcher asks, which costs no round trip there)."""
    ws, session = await _session()
    await _queue(ws, session, "a@s.whatsapp.net", n=2)
    claim = await send_budget.claim_unbudgeted(session, NOW, _no_lead)
    (first,) = claim.jobs
    sent = await outbox_jobs.mark_sent(first, "wa-1", NOW)
    expected = None if db.engine_type == "sqlite" else True
    assert sent.more_due is expected  # the chat's second row
    (second,) = (await send_budget.claim_unbudgeted(session, NOW, _no_lead)).jobs
    sent = await outbox_jobs.mark_sent(second, "wa-2", NOW)
    assert sent.more_due is (None if db.engine_type == "sqlite" else False)
    assert await Outbox.count().where(Outbox.status == OutboxStatus.SENT) == 2
