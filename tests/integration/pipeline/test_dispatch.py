"""Dispatcher behaviour: a failed send retries with backoff and holds the chat's later replies
behind it; pacing shows "typing…" for a time that grows with length and spaces a chat's sends."""

from __future__ import annotations

from pathlib import Path

from app.db.tables import Outbox
from app.domain import SessionStatus
from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot, eventually

ANN = "+4917600000001"


async def test_failed_send_retries_and_keeps_the_chat_in_order(bot: Bot) -> None:
    bot.phone.status = SessionStatus.DISCONNECTED  # the phone is offline: send() raises
    for text in ("one", "two", "three"):
        await bot.simulate(ANN, text)

    async def failed_once():
        return await bot.db(
            lambda: Outbox.select(Outbox.attempts, Outbox.last_error).where(
                Outbox.last_error.is_not_null()
            )
        )

    rows = await eventually(failed_once)
    assert "not connected" in rows[0]["last_error"]
    assert rows[0]["attempts"] == 0  # offline: nothing was tried, the ladder did not move
    assert bot.sent_texts() == []
    bot.phone.status = SessionStatus.CONNECTED

    async def all_sent():
        return len(bot.sent_texts()) == 3

    await eventually(all_sent, timeout=15)  # first retry after 2 s
    assert bot.sent_texts() == ["one", "two", "three"]
    statuses = await bot.db(lambda: Outbox.select(Outbox.status))
    assert {r["status"] for r in statuses} == {"SENT"}


async def test_typing_indicator_and_per_chat_spacing(tmp_path: Path) -> None:
    async for api in _api(
        tmp_path / "data",
        None,
        auto_reply="echo",
        typing_ms_per_char=10,
        typing_max_s=0.05,
        chat_spacing_s=0.3,
    ):
        bot = await _bot(api)
        await bot.simulate(ANN, "a fairly long reply text")
        await bot.simulate(ANN, "second")

        async def both(bot: Bot = bot) -> bool:
            return len(bot.sent_texts()) == 2

        await eventually(both)
        jid = bot.phone.sent[0].message.to
        assert bot.phone.typing[:2] == [(jid, True), (jid, False)]
        first, second = bot.phone.sent
        assert (second.timestamp - first.timestamp).total_seconds() >= 0.29
