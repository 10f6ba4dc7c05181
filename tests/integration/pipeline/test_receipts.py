"""Receipts in bursts (`app.pipeline.batches`): what arrives while a session's last batch is
written goes together — on Postgres two statements per batch of up to 16 ids (deliveries,
then reads), not two per sent message — and every message ends as it would have one
receipt at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.db.repos import inbound, messages
from app.db.tables import Message
from app.domain import NormalizedMessage, Receipt, ReceiptKind

JID = "4917612345678@s.whatsapp.net"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DELIVERED = "UPDATE messages SET delivered_at"  # alone, or each id's CTE in a batch


async def _sent_from_the_phone(bot: Any, n: int) -> list[str]:
    """`n` messages the business sent from its phone: OUTBOUND, SENT, with WhatsApp ids."""
    ws, sid = bot.owner.workspace_id, bot.session_id

    async def persist() -> None:
        for i in range(n):
            msg = NormalizedMessage(
                wa_message_id=f"OWN{i}",
                jid=JID,
                chat_jid=JID,
                timestamp=T0,
                text=f"from the phone {i}",
                is_from_me=True,
            )
            await inbound.persist_inbound(ws, sid, msg, T0 + timedelta(seconds=i))

    await bot.db(persist)
    return [f"OWN{i}" for i in range(n)]


async def _states(bot: Any) -> dict[str, tuple[str, bool, bool]]:
    rows = await bot.db(
        lambda: Message.select(
            Message.wa_message_id, Message.status, Message.delivered_at, Message.read_at
        ).where(Message.direction == "OUTBOUND")
    )
    return {
        r["wa_message_id"]: (r["status"], r["delivered_at"] is not None, r["read_at"] is not None)
        for r in rows
    }


def _receipt(kind: ReceiptKind, *ids: str, at: int = 0) -> Receipt:
    return Receipt(ids, kind, T0 + timedelta(minutes=1, seconds=at), chat_jid=JID, sender_jid=JID)


async def test_a_mixed_batch_ends_as_one_receipt_at_a_time_would(bot_any_db: Any) -> None:
    bot = bot_any_db
    a, b, c, d = await _sent_from_the_phone(bot, 4)
    batch = [
        _receipt(ReceiptKind.DELIVERED, a, b),
        _receipt(ReceiptKind.READ, a, at=1),
        _receipt(ReceiptKind.READ, c, at=2),  # read before its delivery was heard
        _receipt(ReceiptKind.DELIVERED, c, at=3),
        _receipt(ReceiptKind.DELIVERED, a, at=4),  # a duplicate: nothing more changes
        _receipt(ReceiptKind.PLAYED, "NOT-OURS"),
    ]
    changed = await bot.db(lambda: messages.apply_receipts(bot.session_id, batch))
    states = await _states(bot)
    assert states[a] == ("READ", True, True)
    assert states[b] == ("DELIVERED", True, False)
    assert states[c][0] == "READ" and states[c][2]
    assert states[d] == ("SENT", False, False)
    assert sorted(m.wa_message_id or "" for m in changed).count(a) == 2  # delivered, then read
    assert {m.wa_message_id for m in changed} == {a, b, c}
    read_a = next(m for m in changed if m.wa_message_id == a and m.status == "READ")
    assert read_a.read_at == T0 + timedelta(minutes=1, seconds=1)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every statement piccolo sends to Postgres while the test runs (asyncpg's `fetch`,
    wrapped for the test only); SQLite's stay empty."""
    import asyncpg.connection

    seen: list[str] = []
    cls: Any = asyncpg.connection.Connection
    original = cls.fetch

    async def fetch(self: Any, query: str, *args: Any, **kw: Any) -> Any:
        seen.append(query)
        return await original(self, query, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cls, "fetch", fetch)
        yield seen


async def test_a_burst_of_receipts_is_written_in_batches(
    bot_any_db: Any, db_url: str, statements: list[str]
) -> None:
    bot = bot_any_db
    ids = await _sent_from_the_phone(bot, 20)
    statements.clear()

    async def burst() -> None:
        on_receipt = bot.phone.events.on_receipt
        await asyncio.gather(*(on_receipt(_receipt(ReceiptKind.DELIVERED, i)) for i in ids))
        await asyncio.gather(*(on_receipt(_receipt(ReceiptKind.READ, i)) for i in ids))

    await bot.db(burst)
    assert set((await _states(bot)).values()) == {("READ", True, True)}
    if db_url.startswith("postgresql"):  # 20 deliveries, then 20 reads: a few batches each
        # (up to 16 ids a statement), not 20 statements
        assert 1 <= sum(DELIVERED in q for q in statements) <= 4
