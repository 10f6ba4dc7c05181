"""A send that cannot succeed ends visibly: FAILED with a reason and a notification after the
retry ladder, or — while the number is offline — re-sent on reconnect only within the resend
window (24 h by default), never retried forever."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from app.db.tables import Message, Notification, Outbox
from app.domain import SessionStatus
from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"


async def _outbox(bot: Bot) -> list[dict[str, Any]]:
    return await bot.db(lambda: Outbox.select().order_by(Outbox.created_at))


async def _notifications(bot: Bot, type_: str) -> list[dict[str, Any]]:
    """From the table: the clock moves by hours here, past the access token's lifetime."""
    return await bot.db(
        lambda: Notification.select().where(Notification.type == type_).output(load_json=True)
    )


async def _reply(bot: Bot) -> dict[str, Any]:
    rows = await bot.db(lambda: Message.select().where(Message.direction == "OUTBOUND"))
    assert len(rows) == 1, rows
    return rows[0]


async def test_a_send_that_keeps_failing_ends_failed_with_reason_and_notification(
    bot: Bot,
) -> None:
    bot.phone.fail_with = RuntimeError("server said 500")
    await bot.simulate(ANN, "hello")
    for attempt in range(1, 7):  # the ladder: 2/5/15/30/60 s, six attempts in all

        async def tried(n: int = attempt) -> bool:
            rows = await _outbox(bot)
            return bool(rows) and (rows[0]["attempts"] >= n or rows[0]["status"] == "FAILED")

        await eventually(tried)
        bot.api.clock.advance(timedelta(seconds=61))
    (row,) = await eventually(lambda: _rows_with(bot, "FAILED"), timeout=10)
    assert row["attempts"] == 6 and "server said 500" in row["last_error"]
    reply = await _reply(bot)
    assert reply["status"] == "FAILED"
    assert "gave up after 6 attempts" in reply["failure_reason"]
    (note,) = await _notifications(bot, "message_failed")
    assert note["payload"]["messageId"] == reply["id"]
    bot.api.clock.advance(timedelta(minutes=5))
    await asyncio.sleep(0.3)  # not retried any more
    assert (await _outbox(bot))[0]["attempts"] == 6 and bot.sent_texts() == []


async def _rows_with(bot: Bot, status: str) -> list[dict[str, Any]]:
    return [r for r in await _outbox(bot) if r["status"] == status]


async def test_an_offline_reply_is_sent_on_reconnect_within_the_window(bot: Bot) -> None:
    bot.phone.status = SessionStatus.DISCONNECTED
    await bot.simulate(ANN, "while offline")
    await eventually(lambda: _waiting(bot))
    bot.api.clock.advance(timedelta(hours=23))  # still inside the 24 h window
    await asyncio.sleep(0.3)  # re-checked while offline: the next check is a minute away
    assert bot.sent_texts() == [] and (await _outbox(bot))[0]["attempts"] == 0
    await bot.db(bot.phone.start)  # reconnects: CONNECTED → the dispatcher resumes at once

    async def sent() -> bool:
        return bot.sent_texts() == ["while offline"]

    await eventually(sent, timeout=5)
    assert (await _outbox(bot))[0]["status"] == "SENT"
    assert await _notifications(bot, "message_failed") == []


async def test_an_offline_reply_older_than_the_window_is_dropped_as_failed(bot: Bot) -> None:
    bot.phone.status = SessionStatus.DISCONNECTED
    await bot.simulate(ANN, "stale by tomorrow")
    await eventually(lambda: _waiting(bot))
    bot.api.clock.advance(timedelta(hours=25))
    await eventually(lambda: _rows_with(bot, "FAILED"))
    await bot.db(bot.phone.start)
    await asyncio.sleep(0.3)
    assert bot.sent_texts() == []  # a day-old reply would arrive out of context
    reply = await _reply(bot)
    assert reply["status"] == "FAILED" and "24 h resend window" in reply["failure_reason"]
    (note,) = await _notifications(bot, "message_failed")
    assert "resend window" in note["payload"]["reason"]


async def _waiting(bot: Bot) -> bool:
    rows = await _outbox(bot)
    return bool(rows) and rows[0]["last_error"] is not None and rows[0]["status"] == "PENDING"
