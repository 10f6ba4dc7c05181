"""A conversation waiting for a human (WAITING_HUMAN) gets no bot reply (seed §3: human
takeover blocks the bot), and when nobody answers within the workspace's timeout the
workspace gets `human_reply_needed` — once per waiting period."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.db.tables import Notification
from app.jobs.human_reply import nudge_waiting
from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot, eventually

ANN = "+4917600000001"


@pytest.fixture
async def patient_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """An echo bot whose sign-in outlives the hours the clock is moved forward here."""
    async for api in _api(tmp_path / "data", None, auto_reply="echo", access_token_ttl_s=86400):
        yield await _bot(api)


async def _sent(bot: Bot, n: int) -> bool:
    return len(bot.sent_texts()) >= n


async def _status(bot: Bot, conv_id: str, status: str) -> None:
    r = await bot.send("PATCH", f"/conversations/{conv_id}", json={"status": status})
    assert r.status_code == 200, r.text


async def test_a_conversation_waiting_for_a_human_gets_no_bot_reply(bot: Bot) -> None:
    await bot.simulate(ANN, "first")
    await eventually(lambda: _sent(bot, 1))
    conv_id = (await bot.conversation_of(ANN))["id"]
    await _status(bot, conv_id, "WAITING_HUMAN")
    await bot.simulate(ANN, "anyone there?")
    await asyncio.sleep(0.4)  # room for a (wrong) bot reply
    assert bot.sent_texts() == ["first"]
    conv = await bot.conversation_of(ANN)
    assert conv["status"] == "WAITING_HUMAN" and conv["contact"]["humanTakeover"] is False
    assert conv["messages"][-1]["content"] == "anyone there?"  # stored all the same
    await _status(bot, conv_id, "OPEN")
    await bot.simulate(ANN, "back")
    await eventually(lambda: _sent(bot, 2))
    assert bot.sent_texts() == ["first", "back"]


async def _nudges(bot: Bot) -> list[dict]:
    return await bot.db(
        lambda: (
            Notification.select()
            .where(Notification.type == "human_reply_needed")
            .output(load_json=True)
        )
    )


async def test_human_reply_needed_fires_once_per_waiting_period(patient_bot: Bot) -> None:
    bot, clock = patient_bot, patient_bot.api.clock
    run = lambda: bot.db(lambda: nudge_waiting(bot.api.container.clock, bot.api.container.notifier))  # noqa: E731
    await bot.simulate(ANN, "hi")
    await eventually(lambda: _sent(bot, 1))
    conv_id = (await bot.conversation_of(ANN))["id"]
    await _status(bot, conv_id, "WAITING_HUMAN")
    clock.advance(timedelta(minutes=14))
    assert await run() == 0  # the default timeout is 15 minutes
    clock.advance(timedelta(minutes=2))
    assert await run() == 1
    assert await run() == 0  # once
    (note,) = await _nudges(bot)
    assert note["payload"]["conversationId"] == conv_id and note["payload"]["minutes"] == 15

    # a human answers: the waiting period ends; a new one counts from its own start
    r = await bot.send("POST", f"/conversations/{conv_id}/messages", json={"text": "on it"})
    assert r.status_code == 201, r.text
    assert (await bot.conversation_of(ANN))["status"] == "OPEN"
    r = await bot.send("PATCH", "/settings", json={"humanReplyTimeoutMin": 30})
    assert r.status_code == 200 and r.json()["humanReplyTimeoutMin"] == 30, r.text
    await _status(bot, conv_id, "WAITING_HUMAN")
    clock.advance(timedelta(minutes=16))
    assert await run() == 0
    clock.advance(timedelta(minutes=15))
    assert await run() == 1
    assert len(await _nudges(bot)) == 2
