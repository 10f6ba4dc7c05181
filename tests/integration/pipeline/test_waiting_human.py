"""Handing a conversation to a human and back (seed §3: human takeover blocks the bot).

A conversation waiting for a human (WAITING_HUMAN) gets no bot reply, but the customer hears
once per wait that a person will reply; a contact under human takeover hears nothing from the
bot. When nobody answers within the workspace's timeout the workspace gets
`human_reply_needed` — once per waiting period. Resolving hands the contact back to the bot
unless the agent keeps the takeover (issue 13 #16)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.ai.phrases import fixed
from app.db.tables import Notification
from app.jobs.human_reply import nudge_waiting
from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot, eventually

ANN = "+4917600000001"
WAITING = fixed("waiting", "en")


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


async def test_a_waiting_customer_is_told_once_per_wait_that_a_person_will_reply(
    bot: Bot,
) -> None:
    """The bot does not answer while a human is awaited, but the customer is not left in
    silence either: their first message of each wait gets one notice, the rest nothing."""
    await bot.simulate(ANN, "first")
    await eventually(lambda: _sent(bot, 1))
    conv_id = (await bot.conversation_of(ANN))["id"]
    await _status(bot, conv_id, "WAITING_HUMAN")
    # a burst during the wait: exactly one notice, however the messages interleave
    await asyncio.gather(*(bot.simulate(ANN, f"anyone there? {i}") for i in range(6)))
    await eventually(lambda: _sent(bot, 2))
    await asyncio.sleep(0.4)  # room for a (wrong) second notice
    assert bot.sent_texts() == ["first", WAITING]
    conv = await bot.conversation_of(ANN)
    assert conv["status"] == "WAITING_HUMAN" and conv["contact"]["humanTakeover"] is False
    notices = [m for m in conv["messages"] if m["content"] == WAITING]
    assert len(notices) == 1 and notices[0]["senderType"] == "BOT"  # on record, once
    await bot.simulate(ANN, "hello??")
    await asyncio.sleep(0.4)
    assert bot.sent_texts() == ["first", WAITING]  # told once: silence after that
    assert (await bot.conversation_of(ANN))["messages"][-1]["content"] == "hello??"

    await _status(bot, conv_id, "OPEN")  # handed back to the bot
    await bot.simulate(ANN, "back")
    await eventually(lambda: _sent(bot, 3))
    await _status(bot, conv_id, "WAITING_HUMAN")  # a new wait: told again, once
    await bot.simulate(ANN, "me again")
    await eventually(lambda: _sent(bot, 4))
    await bot.simulate(ANN, "and again")
    await asyncio.sleep(0.4)
    assert bot.sent_texts() == ["first", WAITING, "back", WAITING]


async def test_a_contact_under_human_takeover_hears_nothing_from_the_bot(bot: Bot) -> None:
    await bot.simulate(ANN, "first")
    await eventually(lambda: _sent(bot, 1))
    contact = (await bot.conversation_of(ANN))["contact"]["id"]
    assert (await bot.send("POST", f"/contacts/{contact}/takeover")).status_code in (200, 201)
    await bot.simulate(ANN, "are you a person?")
    await bot.simulate(ANN, "hello?")
    await asyncio.sleep(0.4)  # a person is answering this contact: no notice, no reply
    assert bot.sent_texts() == ["first"]
    assert (await bot.conversation_of(ANN))["status"] == "WAITING_HUMAN"


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


async def _takeover(bot: Bot) -> bool:
    return bool((await bot.conversation_of(ANN))["contact"]["humanTakeover"])


async def test_resolving_hands_the_contact_back_to_the_bot_unless_kept(bot: Bot) -> None:
    await bot.simulate(ANN, "hi")
    await eventually(lambda: _sent(bot, 1))
    conv_id = (await bot.conversation_of(ANN))["id"]
    r = await bot.send("POST", f"/conversations/{conv_id}/messages", json={"text": "a human"})
    assert r.status_code == 201, r.text
    assert await _takeover(bot)  # replying took the contact over (workspace default)
    r = await bot.send("POST", f"/conversations/{conv_id}/resolve")
    assert r.status_code == 201 and r.json()["status"] == "RESOLVED", r.text
    assert not await _takeover(bot)
    await bot.simulate(ANN, "one more question")  # a new conversation: the bot answers it
    await eventually(lambda: _sent(bot, 3))
    assert bot.sent_texts()[-1] == "one more question"

    # the agent keeps the contact: the next conversation stays with the humans
    (newest,) = (await bot.get("/conversations", search=ANN, status="OPEN"))["items"]
    contact = newest["contact"]["id"]
    assert (await bot.send("POST", f"/contacts/{contact}/takeover")).status_code in (200, 201)
    r = await bot.send(
        "POST", f"/conversations/{newest['id']}/resolve", json={"keepTakeover": True}
    )
    assert r.status_code == 201, r.text
    r = await bot.send("GET", f"/contacts/{contact}")
    assert r.json()["humanTakeover"] is True
    await bot.simulate(ANN, "hello again")
    await asyncio.sleep(0.4)
    assert len(bot.sent_texts()) == 3

    # PATCH to RESOLVED is a resolve too, with the same choice
    (newest,) = (await bot.get("/conversations", search=ANN, status="WAITING_HUMAN"))["items"]
    r = await bot.send("PATCH", f"/conversations/{newest['id']}", json={"status": "RESOLVED"})
    assert r.status_code == 200, r.text
    assert (await bot.send("GET", f"/contacts/{contact}")).json()["humanTakeover"] is False
