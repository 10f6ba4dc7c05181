"""A decision that takes its own reply (`outbox.Take`, Postgres): the reply goes out SENDING in
the decision's statement only when the dispatcher's claim would have taken it — the lease
held, the chat with no other row open, nothing written to the chat since the statement's
snapshot, and with a send budget its slot booked on the budget row as the decision's caller
read it. Otherwise the row is written PENDING, as before, for the dispatcher to claim."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from piccolo.engine.base import Engine

from app.db.repos import outbox, send_budget
from app.db.repos.inbound import persist_inbound
from app.db.repos.leases import Fence
from app.db.repos.mapping import json_value
from app.db.tables import Conversation, Message, Outbox, SendBudget
from app.domain import OutboxStatus, new_id
from app.domain.messages import NormalizedMessage
from app.domain.sending import BudgetDefaults, SendKind
from tests.integration.pipeline.test_send_budget_claims import DEFAULTS, NOW, _session

pytestmark = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def _inbound(
    ws: str, session: str, phone: str, at: datetime = NOW
) -> tuple[outbox.Target, str]:
    """A stored, unrouted inbound message from `phone`: where its reply goes, and its id."""
    jid = f"{phone}@s.whatsapp.net"
    msg = NormalizedMessage(
        wa_message_id=new_id(),
        jid=jid,
        chat_jid=jid,
        timestamp=at,
        text="hi",
        sender_phone_jid=jid,
    )
    stored = await persist_inbound(ws, session, msg, at)
    assert stored is not None
    target = outbox.Target(ws, session, stored.conversation.id, jid)
    return target, stored.message.id


def _unbudgeted(fence: Fence | None = None) -> outbox.Take:
    return outbox.Take(NOW, NOW + timedelta(seconds=1), fence)


async def _rows(conversation_id: str) -> list[dict]:
    return await (
        Outbox.select(Outbox.status, Outbox.slot_at, Outbox.payload)
        .where(Outbox.conversation_id == conversation_id)
        .order_by(Outbox.created_at)
    )


async def test_a_free_chat_s_reply_is_taken_by_its_decision(db: Engine) -> None:
    ws, session = await _session()
    target, inbound_id = await _inbound(ws, session, "4915100000001")
    drafts = [outbox.Draft("welcome"), outbox.Draft("answer")]
    written = await outbox.record_decision(target, inbound_id, drafts, NOW, take=_unbudgeted())
    assert written.taken is not None
    assert written.taken.text == "welcome" and written.taken.slot_at == NOW + timedelta(seconds=1)
    rows = await _rows(target.conversation_id)
    # the first goes out now; the second waits behind it in its chat, for the dispatcher
    assert [(r["status"], r["slot_at"]) for r in rows] == [
        ("SENDING", NOW),
        ("PENDING", None),
    ]
    assert written.conversation is not None and written.conversation.last_message_at == NOW
    routed = await Message.select(Message.routed_at).where(Message.id == inbound_id).first()
    assert routed is not None and routed["routed_at"] == NOW


async def test_a_chat_with_a_row_open_keeps_the_reply_pending(db: Engine) -> None:
    ws, session = await _session()
    target, first = await _inbound(ws, session, "4915100000002")
    await outbox.record_decision(target, first, [outbox.Draft("one")], NOW)  # PENDING
    _, second = await _inbound(ws, session, "4915100000002", NOW + timedelta(seconds=1))
    later = NOW + timedelta(seconds=1)
    written = await outbox.record_decision(
        target, second, [outbox.Draft("two")], later, take=_unbudgeted()
    )
    assert written.taken is None
    assert [r["status"] for r in await _rows(target.conversation_id)] == ["PENDING", "PENDING"]
    assert written.conversation is not None and written.conversation.last_message_at == later


async def test_a_lost_lease_takes_nothing(db: Engine) -> None:
    ws, session = await _session()
    target, inbound_id = await _inbound(ws, session, "4915100000003")
    take = _unbudgeted(Fence("another-node", 7))  # no such lease: the fence does not hold
    written = await outbox.record_decision(target, inbound_id, [outbox.Draft("x")], NOW, take=take)
    assert written.taken is None
    assert [r["status"] for r in await _rows(target.conversation_id)] == ["PENDING"]


async def test_a_row_of_the_chat_written_after_the_snapshot_keeps_the_reply_pending(
    db: Engine,
) -> None:
    """Another writer queues a row in the chat (a flow, a broadcast: `enqueue`) and commits
    while the decision's statement runs: its snapshot does not see that row, so the chat looks
    free — but the writer updated the conversation, and the decision, updating it after,
    sees a newer version than its snapshot's: it falls back, and the chat never gets two
    rows in flight (a claim could take that row the moment it is committed)."""
    ws, session = await _session()
    target, inbound_id = await _inbound(ws, session, "4915100000004")
    queued, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with Message._meta.db.transaction():
            sending = outbox.Sending(SendKind.FLOW)
            await outbox.enqueue(target, [outbox.Draft("from a flow")], NOW, sending)
            queued.set()
            await release.wait()  # the decision's statement starts meanwhile

    other = asyncio.create_task(writer())
    await queued.wait()
    decision = asyncio.create_task(
        outbox.record_decision(target, inbound_id, [outbox.Draft("reply")], NOW, take=_unbudgeted())
    )
    await asyncio.sleep(0.3)
    assert not decision.done()  # waiting for the writer's lock on the conversation
    release.set()
    await other
    written = await decision
    assert written.taken is None
    statuses = sorted(r["status"] for r in await _rows(target.conversation_id))
    assert statuses == ["PENDING", "PENDING"]
    assert written.conversation is not None and written.conversation.last_message_at == NOW


async def test_many_deciders_writers_and_claimers_never_put_two_rows_of_a_chat_in_flight(
    db: Engine,
) -> None:
    """Decisions taking their replies, other writers queueing rows and claimers taking heads,
    all at once on separate connections, over a few chats: nothing is sent (rows stay
    SENDING), so every chat ends with exactly one row in flight — the first taken — and every
    later take or claim in it must have seen that one."""
    ws, session = await _session()
    chats = [await _inbound(ws, session, f"49151000001{c:02d}") for c in range(6)]
    inbounds = [(t, i) for t, i in chats]
    for c in range(6):  # more messages per chat, each routed by its own decision
        for k in range(1, 5):
            at = NOW + timedelta(milliseconds=k)
            inbounds.append(await _inbound(ws, session, f"49151000001{c:02d}", at))

    async def decide(target: outbox.Target, inbound_id: str) -> None:
        await outbox.record_decision(
            target, inbound_id, [outbox.Draft(f"re {inbound_id}")], NOW, take=_unbudgeted()
        )

    async def write(target: outbox.Target) -> None:
        await outbox.enqueue(target, [outbox.Draft("flow")], NOW, outbox.Sending(SendKind.FLOW))

    async def claims() -> None:
        for _ in range(15):
            await send_budget.claim_unbudgeted(session, NOW + timedelta(seconds=5), lambda _j: 0.0)
            await asyncio.sleep(0)

    work = [decide(t, i) for t, i in inbounds]
    work += [write(t) for t, _ in chats for _ in range(3)]
    work += [claims() for _ in range(4)]
    await asyncio.gather(*work)
    rows = await Outbox.select(Outbox.jid, Outbox.status)
    assert len(rows) == 6 * 5 + 6 * 3
    in_flight: dict[str, int] = {}
    for row in rows:
        if row["status"] == OutboxStatus.SENDING:
            in_flight[row["jid"]] = in_flight.get(row["jid"], 0) + 1
    assert in_flight == {t.jid: 1 for t, _ in chats}


async def _budgeted_take(session: str, now: datetime) -> outbox.Take:
    got = await send_budget.reply_slot(session, now, DEFAULTS, now + timedelta(seconds=2))
    assert got is not None
    return outbox.Take(got.slot_at, got.slot_at, None, got.ledger, got.version)


async def _ledger(session: str) -> dict:
    row = await SendBudget.select().where(SendBudget.session_id == session).first()
    assert row is not None
    return row


async def test_with_a_budget_the_decision_books_its_slot_in_the_ledger(db: Engine) -> None:
    ws, session = await _session()
    target, inbound_id = await _inbound(ws, session, "4915100000005")
    take = await _budgeted_take(session, NOW)
    assert take.slot_at == NOW + timedelta(seconds=2)
    written = await outbox.record_decision(target, inbound_id, [outbox.Draft("x")], NOW, take=take)
    assert written.taken is not None and written.taken.slot_at == take.slot_at
    assert [(r["status"], r["slot_at"]) for r in await _rows(target.conversation_id)] == [
        ("SENDING", take.slot_at)
    ]
    ledger = await _ledger(session)
    assert ledger["day_sent"] == 1 and json_value(ledger["slots"], []) == [take.slot_at.timestamp()]


async def test_a_budget_written_since_its_read_keeps_the_reply_pending(db: Engine) -> None:
    """A claim between the slot's read and the decision wrote the budget row: the decision's
    ledger would overwrite the claim's slot, so it writes nothing and the reply waits for the
    dispatcher (which claims it against the ledger as it is)."""
    ws, session = await _session()
    target, inbound_id = await _inbound(ws, session, "4915100000006")
    other, other_id = await _inbound(ws, session, "4915100000007")
    take = await _budgeted_take(session, NOW)
    await outbox.record_decision(other, other_id, [outbox.Draft("first")], NOW)  # PENDING
    claim = await send_budget.claim(session, NOW, DEFAULTS, lambda _j: 0.0)
    assert len(claim.jobs) == 1  # the other chat's row: the ledger now holds its slot
    written = await outbox.record_decision(target, inbound_id, [outbox.Draft("x")], NOW, take=take)
    assert written.taken is None
    assert [r["status"] for r in await _rows(target.conversation_id)] == ["PENDING"]
    assert (await _ledger(session))["day_sent"] == 1  # the claim's slot, and only it


async def test_no_slot_no_take(db: Engine) -> None:
    """A paused number (or a full minute) offers nothing: the reply waits like any row."""
    _, session = await _session()
    assert await send_budget.pause(session, "test", NOW)
    assert await send_budget.reply_slot(session, NOW, DEFAULTS, NOW) is None
    full = BudgetDefaults(per_minute=1, per_day=10, cold_per_day=10)
    assert await send_budget.resume(session)
    first = await send_budget.reply_slot(session, NOW, full, NOW)
    assert first is not None
    await SendBudget.update({SendBudget.slots: [NOW.timestamp()]}).where(
        SendBudget.session_id == session
    )
    assert await send_budget.reply_slot(session, NOW, full, NOW) is None
    assert await Conversation.count() == 0


async def test_concurrent_takes_and_claims_never_exceed_the_minute(db: Engine) -> None:
    """Twenty decisions read their slot and take their replies while claimers claim the same
    session's rows, at once on separate connections: the minute's limit (5) holds, every row
    in flight has its slot in the ledger, and the ledger counts each once."""
    ws, session = await _session()
    tight = BudgetDefaults(per_minute=5, per_day=1_000, cold_per_day=1_000)
    chats = [await _inbound(ws, session, f"49151000002{c:02d}") for c in range(20)]

    async def decide(target: outbox.Target, inbound_id: str) -> bool:
        got = await send_budget.reply_slot(session, NOW, tight, NOW)
        take = None
        if got is not None:
            take = outbox.Take(got.slot_at, got.slot_at, None, got.ledger, got.version)
        draft = [outbox.Draft("x")]
        written = await outbox.record_decision(target, inbound_id, draft, NOW, take=take)
        return written.taken is not None

    async def claims() -> None:
        for _ in range(10):
            await send_budget.claim(session, NOW, tight, lambda _j: 0.0)
            await asyncio.sleep(0)

    done = await asyncio.gather(*(decide(t, i) for t, i in chats), *(claims() for _ in range(3)))
    assert any(done[: len(chats)])  # some decisions took their reply (others fell back)
    sending = await Outbox.select(Outbox.slot_at).where(Outbox.status == OutboxStatus.SENDING)
    ledger = await _ledger(session)
    assert len(sending) == 5 == ledger["day_sent"]
    booked = json_value(ledger["slots"], [])
    assert sorted(r["slot_at"].timestamp() for r in sending) == sorted(booked)
