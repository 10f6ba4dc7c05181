"""Recovery routes every message a crash left unrouted — all of them, in the background — and
a message whose routing failed later is picked up again, answered once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.db.repos import outbox
from app.db.tables import Message, Outbox
from app.db.tx import transaction
from app.pipeline import Reply, ReplyContext
from tests.integration.api.conftest import _api
from tests.integration.bots import _bot, eventually
from tests.integration.pipeline.crashed import persist_unrouted

UNROUTED = 1_050  # more than one batch of the old start-up recovery (1,000)


async def _persist_unrouted(bot, n: int, contacts: int = 30) -> None:  # type: ignore[no-untyped-def]
    ws, sid = bot.owner.workspace_id, bot.session_id
    await bot.db(lambda: persist_unrouted(ws, sid, n, contacts))


async def _counts(bot) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async def count() -> tuple[int, int]:
        unrouted = await Message.count().where(
            Message.routed_at.is_null() & (Message.direction == "INBOUND")
        )
        return unrouted, await Outbox.count()

    return await bot.db(count)


async def test_every_unrouted_message_is_answered_after_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async for api in _api(data, None, auto_reply="echo"):
        bot = await _bot(api)
        await _persist_unrouted(bot, UNROUTED)
    async for api in _api(data, None, auto_reply="echo"):
        bot = await _bot_of(api, bot)
        counts = await _counts(bot)
        for _ in range(600):  # recovery is in the background: poll (up to a minute)
            if counts == (0, UNROUTED):
                break
            await asyncio.sleep(0.1)
            counts = await _counts(bot)
        assert counts == (0, UNROUTED)  # (unrouted inbound, outbox rows)
        replies = await bot.db(lambda: Message.count().where(Message.direction == "OUTBOUND"))
        assert replies == UNROUTED  # each answered once


async def _bot_of(api, before):  # type: ignore[no-untyped-def]
    """The same owner and session in a restarted app (tokens stay valid: same key, clock)."""
    from tests.integration.bots import Bot

    return Bot(api, before.owner, before.session_id)


class _FailsOnce:
    """A responder whose first call fails the way a bug or a dropped connection would."""

    def __init__(self) -> None:
        self.calls = 0

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("lane failure")
        return Reply(f"answer to {ctx.message.body}")


async def test_a_message_whose_routing_failed_is_routed_again(tmp_path: Path) -> None:
    async for api in _api(tmp_path / "data", None, auto_reply="echo", recovery_sweep_s=0.2):
        bot = await _bot(api)
        responder = _FailsOnce()
        api.container.pipeline._responders.ai = responder  # the AI slot, swapped for the test
        await bot.simulate("+4917600000001", "hello")
        await eventually(lambda b=bot: _replied(b))
        assert responder.calls == 2
        assert bot.sent_texts() == ["answer to hello"]


async def _replied(bot):  # type: ignore[no-untyped-def]
    return bot.sent_texts()


@pytest.mark.parametrize("joined", [False, True], ids=["alone", "in-a-transaction"])
async def test_an_inbound_message_is_decided_once_however_many_try(
    bot_any_db,  # type: ignore[no-untyped-def]
    joined: bool,
) -> None:
    """Recovery and the live path (or two nodes) racing for one message: the database lets
    one decision in; the others write nothing — whether the decision runs alone (on Postgres
    one statement, no transaction: nobody listens to webhooks) or inside the caller's
    transaction (one does)."""
    bot = bot_any_db
    # the app's own recovery would route it first when the session's lease is taken after
    # the message is stored (a poke; seen under load): this test races the callers alone
    await bot.db(bot.api.container.recovery.stop)
    await _persist_unrouted(bot, 1, contacts=1)

    async def race() -> list[object]:
        row = await Message.select().where(Message.direction == "INBOUND").first()
        target = outbox.Target(
            row["workspace_id"], row["session_id"], row["conversation_id"], "x@s.whatsapp.net"
        )
        now = datetime.now(UTC)

        async def decide(i: int) -> outbox.Written:
            draft = [outbox.Draft(f"reply {i}")]
            if not joined:
                return await outbox.record_decision(target, row["id"], draft, now)
            async with transaction():
                return await outbox.record_decision(target, row["id"], draft, now)

        return await asyncio.gather(*(decide(i) for i in range(10)), return_exceptions=True)

    results = await bot.db(race)
    assert sum(isinstance(r, outbox.Written) for r in results) == 1
    assert all(isinstance(r, outbox.Written | outbox.AlreadyRouted) for r in results), results
    assert await bot.db(lambda: Outbox.count()) == 1
