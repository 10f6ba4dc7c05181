"""Extractive (no model), fake, registry and pricing: the adapters that need no server."""

from __future__ import annotations

import json

import pytest

from app.llm import (
    ChatMessage,
    LLMError,
    LLMSettings,
    LLMUnavailable,
    Passage,
    build_llm,
    estimate_cost,
)
from app.llm.extractive import NO_ANSWER, best_sentences

HOURS = Passage(
    id="faq-hours",
    kind="faq",
    text="When are you open?",
    question="When are you open?",
    answer="We're open Monday to Friday, 9:00 to 18:00.",
    score=0.86,
)
SHIPPING = Passage(
    id="chunk-7",
    text=(
        "Our shop was founded in 2012 in Lisbon. Orders ship within two working days. "
        "International shipping costs 12 euros. Returns are accepted within 30 days."
    ),
    score=0.88,
)


def ask(text: str) -> list[ChatMessage]:
    return [ChatMessage("user", text)]


async def test_extractive_prefers_the_faq_answer_and_reports_its_score() -> None:
    llm = build_llm(LLMSettings(provider="extractive"))
    out = await llm.complete(ask("what time do you open?"), context=[SHIPPING, HOURS])
    assert out.text == HOURS.answer
    assert out.confidence == pytest.approx(0.86)
    assert out.sources == ("faq-hours",)
    assert out.provider == "extractive" and out.cost_usd == 0.0


async def test_extractive_answers_from_the_passage_sentences_matching_the_question() -> None:
    llm = build_llm(LLMSettings(provider="extractive"))
    far_faq = Passage("faq-x", "Do you sell gift cards?", 0.5, "faq", answer="Yes, in store.")
    out = await llm.complete(
        ask("How much does international shipping cost?"), context=[far_faq, SHIPPING]
    )
    assert "International shipping costs 12 euros." in out.text
    assert "founded" not in out.text
    assert out.confidence == pytest.approx(0.88) and out.sources == ("chunk-7",)


async def test_extractive_without_context_admits_it_and_has_zero_confidence() -> None:
    llm = build_llm(LLMSettings(provider="extractive"))
    out = await llm.complete(ask("Can I pay with bitcoin?"))
    assert out.text == NO_ANSWER and out.confidence == 0.0 and out.sources == ()
    assert not llm.supports_vision


def test_best_sentences_keeps_original_order() -> None:
    text = "Alpha is first. Returns take 30 days. Shipping is free. Omega is last."
    assert best_sentences(text, "returns and shipping") == "Returns take 30 days. Shipping is free."


async def test_fake_follows_its_script_and_answers_the_confidence_prompt() -> None:
    llm = build_llm(LLMSettings(provider="fake", fake_replies=("one", "two"), fake_confidence=0.4))
    assert (await llm.complete(ask("a"))).text == "one"
    assert (await llm.complete(ask("b"))).text == "two"
    assert (await llm.complete(ask("c"))).text == "one"
    judged = await llm.complete(
        ask('Rate confidence. Reply with only a JSON: {"confidence": 0.85}')
    )
    assert json.loads(judged.text)["confidence"] == 0.4


async def test_fake_can_script_an_outage() -> None:
    llm = build_llm(LLMSettings(provider="fake", fake_replies=("!unavailable", "!error")))
    with pytest.raises(LLMUnavailable):
        await llm.complete(ask("hi"))
    with pytest.raises(LLMError):
        await llm.complete(ask("hi"))


async def test_fake_echoes_without_a_script_and_records_calls() -> None:
    llm = build_llm(LLMSettings(provider="fake"))
    out = await llm.complete(ask("hello"), system="sys", context=[HOURS])
    assert out.text == "echo: hello"
    assert llm.calls[-1].system == "sys" and llm.calls[-1].context == (HOURS,)  # type: ignore[attr-defined]


def test_unknown_provider_is_rejected() -> None:
    with pytest.raises(LLMError, match="unknown LLM provider"):
        build_llm(LLMSettings(provider="nope"))  # type: ignore[arg-type]


def test_llamacpp_needs_a_model_path() -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(LLMError, match="model_path"):
        build_llm(LLMSettings(provider="llamacpp"))


@pytest.mark.parametrize(
    ("provider", "model", "expected"),
    [
        ("anthropic", "claude-3-5-haiku-20241022", (1000 * 0.8 + 500 * 4.0) / 1e6),
        ("openai", "gpt-4o-mini-2024-07-18", (1000 * 0.15 + 500 * 0.6) / 1e6),
        ("openai", "gpt-4o", (1000 * 2.5 + 500 * 10.0) / 1e6),
        ("openai", "llama3.1:8b", None),
        ("llamacpp", "gemma-3-270m", 0.0),
    ],
)
def test_cost_estimate(provider: str, model: str, expected: float | None) -> None:
    cost = estimate_cost(provider, model, 1000, 500)
    assert cost == (None if expected is None else pytest.approx(expected))


def test_settings_never_show_the_api_key() -> None:
    assert "sk-secret" not in repr(LLMSettings(provider="openai", api_key="sk-secret"))


def test_history_is_made_to_alternate_starting_with_the_user() -> None:
    from app.llm.turns import OPENING, alternate

    history = [
        ChatMessage("assistant", "Our summer sale starts today!"),
        ChatMessage("user", "hi"),
        ChatMessage("user", "is the sale online too?"),
        ChatMessage("user", "  "),
    ]
    assert alternate(history) == [
        ChatMessage("user", OPENING),
        ChatMessage("assistant", "Our summer sale starts today!"),
        ChatMessage("user", "hi\nis the sale online too?"),
    ]


def test_missing_llama_cpp_names_the_local_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from app.llm import MissingExtra

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # what an install without the extra sees
    monkeypatch.delitem(sys.modules, "app.llm.llamacpp", raising=False)
    with pytest.raises(MissingExtra) as info:
        build_llm(LLMSettings(provider="llamacpp"))
    assert info.value.extra == "local" and "aimywhatsapp[local]" in str(info.value)
