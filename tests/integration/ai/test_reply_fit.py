"""Replies fit for WhatsApp through the simulator: a short token budget, an unusable reply
(looping, cut off) regenerated once and otherwise handed to a person, a prompt sized to a
small local model, and the customer's language asked for even when the passages differ."""

from __future__ import annotations

from typing import Any

from app.ai.output_check import NUDGE
from app.llm.base import ModelProfile
from app.llm.fake import FakeLLM
from tests.integration.ai.conftest import AIBot, wait_sent

ANN = "+15550000002"
LOOP = " ".join(["By the end of the 2020 year, the FAA will have received comments."] * 5)
GOOD = "We are open on Sundays from 10:00 to 14:00."


def fake(bot: AIBot) -> FakeLLM:
    model = bot.model()
    assert isinstance(model, FakeLLM)
    return model


async def escalations(bot: AIBot) -> list[dict[str, Any]]:
    notes = (await bot.get("/notifications"))["items"]
    return [n for n in notes if n["type"] == "escalation_needed"]


async def test_a_looping_reply_is_regenerated_once(ai_bot: AIBot) -> None:
    bot = ai_bot
    bot.script(fake_replies=(LOOP, GOOD))
    await bot.simulate(ANN, "When are you open on Sunday?")
    (reply,) = await bot.bot_messages(ANN)
    assert reply["content"] == GOOD and await wait_sent(bot, ANN, 1) == [GOOD]
    first, second, _judge = fake(bot).calls
    assert NUDGE.split("(")[0] not in (first.system or "")
    assert "stuck in a loop" in (second.system or "")  # the retry says what went wrong
    assert (await bot.conversation_of(ANN))["status"] != "WAITING_HUMAN"
    assert reply["tokensOut"] > len(GOOD.split())  # both attempts are counted


async def test_twice_unusable_goes_to_a_person_and_nothing_odd_is_sent(ai_bot: AIBot) -> None:
    bot = ai_bot
    bot.script(fake_replies=(LOOP,))
    await bot.patch_settings(humanEscalationMessage="A colleague will answer you shortly.")
    await bot.simulate(ANN, "When is the comment deadline?")
    (reply,) = await bot.bot_messages(ANN)
    assert reply["content"] == "A colleague will answer you shortly."
    assert await wait_sent(bot, ANN, 1) == ["A colleague will answer you shortly."]
    assert len(fake(bot).calls) == 2  # one retry, no confidence prompt for a non-answer
    assert (await bot.conversation_of(ANN))["status"] == "WAITING_HUMAN"
    (note,) = await escalations(bot)
    assert note["payload"]["reason"] == "unusable_reply:loop"


async def test_a_reply_cut_off_at_the_budget_is_regenerated(ai_bot: AIBot) -> None:
    bot = ai_bot
    bot.script(fake_replies=("!cut:We are open on Sundays from 10:00 and on public hol", GOOD))
    await bot.simulate(ANN, "When are you open on Sunday?")
    (reply,) = await bot.bot_messages(ANN)
    assert reply["content"] == GOOD
    assert "cut off" in (fake(bot).calls[1].system or "")


async def test_replies_get_a_short_budget_capped_by_the_workspace(ai_bot: AIBot) -> None:
    bot = ai_bot
    bot.script(fake_replies=(GOOD,))
    await bot.simulate(ANN, "When are you open on Sunday?")
    await bot.bot_messages(ANN)
    assert fake(bot).calls[0].max_tokens == 150  # the workspace's default is 1024
    await bot.patch_settings(aiMaxTokens=60)
    bot.script(fake_replies=(GOOD,))
    await bot.simulate("+15550000003", "And on Monday?")
    await bot.bot_messages("+15550000003")
    assert fake(bot).calls[0].max_tokens == 60


FAQS = tuple(
    (f"Do you deliver to {town}?", f"Yes, we deliver to {town} every {day}. " + "Details. " * 120)
    for town, day in [("Berlin", "Monday"), ("Hamburg", "Tuesday"), ("Munich", "Wednesday"),
                      ("Cologne", "Thursday"), ("Bremen", "Friday")]
)  # fmt: skip


def passages_in(system: str) -> list[str]:
    context = system.split("Knowledge Base Context:\n", 1)[1].split("\n\nRules:", 1)[0]
    return [block for block in context.split("\n\n[") if block.strip()]


async def test_a_small_local_model_gets_fewer_shorter_passages_and_less_history(
    ai_bot: AIBot,
) -> None:
    bot = ai_bot
    await bot.add_faqs(*FAQS)
    for n in range(6):  # some history first
        await bot.simulate(ANN, f"Hello number {n}")
        await bot.bot_messages(ANN, n + 1)
    bot.script(fake_replies=(GOOD,))  # a cloud-sized model: everything the search found
    await bot.simulate(ANN, "Do you deliver to Berlin and Hamburg?")
    await bot.bot_messages(ANN, 7)
    cloud = fake(bot).calls[0]
    full = passages_in(cloud.system or "")
    assert len(full) >= 3 and max(len(p) for p in full) > 1000
    bot.script(fake_replies=(GOOD,), fake_profile=ModelProfile(4096, 0.27))  # like Gemma 270M
    await bot.simulate(ANN, "Do you deliver to Munich or Cologne?")
    await bot.bot_messages(ANN, 8)
    small = fake(bot).calls[0]
    short = passages_in(small.system or "")
    assert len(short) == 2 and all(len(p) < 600 for p in short)
    assert len(small.messages) <= 5 < len(cloud.messages)  # ≤ 4 earlier messages + the question
    assert len(small.system or "") < len(cloud.system or "") / 2


async def test_the_reply_language_is_the_customers_even_with_english_passages(
    ai_bot: AIBot,
) -> None:
    bot = ai_bot
    await bot.add_faqs(("How much is shipping?", "Shipping is free above 50 € and 4.90 € below."))
    bot.script(fake_replies=("El envío es gratis a partir de 50 €.",))
    await bot.simulate(ANN, "¿Cuánto cuesta el shipping?")
    await bot.bot_messages(ANN)
    system = fake(bot).calls[0].system or ""
    assert "Shipping is free above 50 €" in system
    assert "(detected: Spanish), also when the knowledge base context is in another language" in (
        system
    )
    assert "write in Spanish and translate what you use" in system
