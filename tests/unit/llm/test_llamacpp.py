"""llama-cpp-python runs the real Gemma 3 270M GGUF in-process (base model: plumbing only)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.llm import LLM, ChatMessage, LLMError, LLMSettings, build_llm
from tests.fakes.gguf import gemma_gguf, require_llama_cpp

require_llama_cpp()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gemma_gguf(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def gemma(gguf: Path) -> Iterator[LLM]:
    llm = build_llm(
        LLMSettings(
            provider="llamacpp",
            model_path=gguf,
            chat_format="gemma",
            n_ctx=1024,
            max_tokens=16,
            temperature=0.0,
        )
    )
    yield llm
    asyncio.run(llm.aclose())


async def test_generates_text_and_counts_tokens(gemma: LLM) -> None:
    out = await gemma.complete(
        [ChatMessage("user", "Write one sentence about the sea.")],
        system="You are a helpful assistant.",
    )
    assert out.text
    assert out.input_tokens > 10 and 0 < out.output_tokens <= 16
    assert out.provider == "llamacpp" and out.cost_usd == 0.0
    assert not gemma.supports_vision


async def test_concurrent_calls_are_serialised_and_the_loop_stays_free(gemma: LLM) -> None:
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    outs = await asyncio.gather(
        *(gemma.complete([ChatMessage("user", f"Count to {n}.")], max_tokens=8) for n in (3, 4))
    )
    beat.cancel()
    assert all(o.output_tokens > 0 for o in outs)
    assert ticks > 5  # the event loop kept running while the model generated


async def test_a_file_that_is_not_a_model_is_an_llm_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 64)
    llm = build_llm(LLMSettings(provider="llamacpp", model_path=bogus))
    with pytest.raises(LLMError, match="cannot load"):
        await llm.complete([ChatMessage("user", "hi")])


async def test_a_prompt_larger_than_the_context_is_an_llm_error(gguf: Path) -> None:
    llm = build_llm(LLMSettings(provider="llamacpp", model_path=gguf, n_ctx=64, max_tokens=8))
    try:
        with pytest.raises(LLMError, match="rejected"):
            await llm.complete([ChatMessage("user", "word " * 200)])
    finally:
        await llm.aclose()
