"""CSAT (issue 17): asked once after resolve when the workspace wants it (off by default), in
the customer's language; the next message that is a rating is stored once, thanked once, and
neither reopens the conversation nor reaches the bot; anything else routes as it always did."""

from __future__ import annotations

import asyncio

from app.domain.csat import QUESTIONS, THANKS, rating_of
from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"


async def _sent(bot: Bot, n: int) -> None:
    async def check() -> bool:
        return len(bot.sent_texts()) >= n

    await eventually(check)


async def _convs(bot: Bot) -> list[dict]:
    return (await bot.get("/conversations", search=ANN))["items"]


async def test_off_by_default_then_asked_rated_and_thanked_once(bot_any_db: Bot) -> None:
    bot = bot_any_db
    await bot.simulate(ANN, "hola, ¿abren el domingo?")
    await _sent(bot, 1)
    conv = (await _convs(bot))[0]["id"]
    assert (await bot.get("/settings"))["csatEnabled"] is False
    await bot.send("POST", f"/conversations/{conv}/resolve")
    await bot.send("POST", f"/conversations/{conv}/reopen")
    r = await bot.send("PATCH", "/settings", json={"csatEnabled": True, "csatThanks": None})
    assert r.status_code == 200 and r.json()["csatEnabled"] is True
    await asyncio.sleep(0.1)
    assert len(bot.sent_texts()) == 1  # off: resolving asked nothing
    await bot.send("POST", f"/conversations/{conv}/resolve")
    await _sent(bot, 2)
    contact = await bot.get(f"/contacts/{(await _convs(bot))[0]['contactId']}")
    language = (contact["language"] or "en").split("-")[0]
    assert bot.sent_texts()[-1] == QUESTIONS.get(language, QUESTIONS["en"])
    # resolved again after a reopen: still asked only once
    await bot.send("POST", f"/conversations/{conv}/reopen")
    await bot.send("POST", f"/conversations/{conv}/resolve")
    await bot.simulate(ANN, "⭐⭐⭐⭐")
    await _sent(bot, 3)
    assert bot.sent_texts()[-1] == THANKS.get(language, THANKS["en"])
    detail = await bot.get(f"/conversations/{conv}")
    assert detail["status"] == "RESOLVED" and detail["csat"]["rating"] == 4
    assert detail["messages"][-2]["content"] == "⭐⭐⭐⭐"  # stored in the rated thread
    assert len(await _convs(bot)) == 1  # not reopened, no new conversation
    perf = await bot.get("/analytics/bot-performance")
    assert perf["csatCount"] == 1 and perf["csatAverage"] == 4 and perf["csat"]["4"] == 1
    # the ask and the thanks are messages sent, not bot replies (the escalation rate's base)
    assert perf["botReplies"] == 1
    volume = await bot.get("/analytics/messages")
    assert sum(p["values"]["automated"] for p in volume["points"]) == 2
    assert sum(p["values"]["out"] for p in volume["points"]) == 3
    # a second rating is only a message: it opens a conversation and the bot answers it
    await bot.simulate(ANN, "5")
    await _sent(bot, 4)
    assert bot.sent_texts()[-1] not in THANKS.values()
    assert len(await _convs(bot)) == 2
    assert (await bot.get(f"/conversations/{conv}"))["csat"]["rating"] == 4


async def test_not_a_rating_routes_normally_and_the_workspace_words_win(bot: Bot) -> None:
    r = await bot.send(
        "PATCH",
        "/settings",
        json={"csatEnabled": True, "csatQuestion": "Rate us 1-5", "csatThanks": "Cheers"},
    )
    assert r.status_code == 200, r.text
    await bot.simulate(ANN, "hello")
    await _sent(bot, 1)
    conv = (await _convs(bot))[0]["id"]
    await bot.send("POST", f"/conversations/{conv}/resolve")
    await _sent(bot, 2)
    assert bot.sent_texts()[-1] == "Rate us 1-5"
    await bot.simulate(ANN, "I need 2 more boxes")  # a number in a sentence: not a rating
    await _sent(bot, 3)
    assert bot.sent_texts()[-1] != "Cheers"
    assert len(await _convs(bot)) == 2
    assert (await bot.get(f"/conversations/{conv}"))["csat"]["rating"] is None
    r = await bot.send("PATCH", "/settings", json={"csatQuestion": "x" * 4001})
    assert r.status_code == 400


def test_what_counts_as_a_rating() -> None:
    yes = {"4": 4, "5!": 5, "⭐⭐⭐": 3, "5 stars": 5, "4/5": 4, "3 estrellas": 3, "five": 5}
    for text, rating in yes.items():
        assert rating_of(text) == rating, text
    for text in ("I need 2 more boxes", "10", "0", "2024", "hello", "⭐⭐⭐⭐⭐⭐", "", "I do"):
        assert rating_of(text) is None, text


async def test_ratings_racing_in_are_stored_and_thanked_once(bot_any_db: Bot) -> None:
    bot = bot_any_db
    await bot.send("PATCH", "/settings", json={"csatEnabled": True, "csatThanks": "Cheers"})
    await bot.simulate(ANN, "hello")
    await _sent(bot, 1)
    conv = (await _convs(bot))[0]["id"]
    await bot.send("POST", f"/conversations/{conv}/resolve")
    await _sent(bot, 2)
    ratings = ["5", "4", "⭐⭐⭐", "2 stars", "1", "five", "3", "4/5"]
    await asyncio.gather(*(bot.simulate(ANN, text) for text in ratings))
    await _sent(bot, 2 + 1 + 7)  # one thanks; the seven others are messages the bot answers
    await asyncio.sleep(0.3)
    assert bot.sent_texts().count("Cheers") == 1
    rating = (await bot.get(f"/conversations/{conv}"))["csat"]["rating"]
    assert rating in {rating_of(t) for t in ratings}
