"""llama-cpp-python runs the real Gemma 3 270M GGUF in-process (base model: plumbing only)."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ai.output_check import check
from app.domain import Abandoned
from app.llm import LLM, ChatMessage, LLMError, LLMSettings, build_llm
from app.llm.base import ModelProfile
from tests.fakes.gguf import gemma_gguf, require_llama_cpp

llama_cpp = require_llama_cpp()
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


def test_the_gguf_header_picks_family_template_and_prompt_size(gguf: Path) -> None:
    llm = build_llm(LLMSettings(provider="llamacpp", model_path=gguf, n_ctx=2048))
    assert llm.family.key == "gemma3" and not llm.system_role  # type: ignore[attr-defined]
    assert llm.profile == ModelProfile(context_window=2048, parameters_b=0.27)
    wire = llm.wire_messages([ChatMessage("user", "hi")], "Be brief.")  # type: ignore[attr-defined]
    assert wire == [{"role": "user", "content": "Be brief.\n\nhi"}]


async def test_a_reply_that_hits_the_budget_is_marked_truncated(gemma: LLM) -> None:
    out = await gemma.complete([ChatMessage("user", "Tell me a long story about the sea.")])
    assert out.output_tokens == 16 and out.truncated


def test_greedy_decoding_without_a_repetition_penalty_loops_and_the_check_catches_it(
    gguf: Path,
) -> None:
    """The review's failure, reproduced: the packaged base model, greedy, no penalty."""
    llama = llama_cpp.Llama(
        model_path=str(gguf), n_ctx=1024, n_threads=1, chat_format="gemma", verbose=False
    )
    question = "When is the comment deadline?"
    prompt = (
        "You are a helpful assistant of an aviation authority. Knowledge Base Context: The FAA "
        f"must receive comments on this AD by October 26, 2020. Rules: be concise.\n\n{question}"
    )
    try:
        out = llama.create_chat_completion(
            messages=[{"role": "user", "content": prompt}],
            max_tokens=72, temperature=0.0, repeat_penalty=1.0,
        )  # fmt: skip
    finally:
        llama.close()
    text = out["choices"][0]["message"]["content"]
    # caught by what it says, not only by having hit the token budget
    assert check(text, question).problem in ("loop", "repeated_sentence"), text


async def test_abandon_ends_the_running_call_between_tokens_and_refuses_queued_ones(
    gguf: Path,
) -> None:
    llm = build_llm(
        LLMSettings(provider="llamacpp", model_path=gguf, n_ctx=1024, n_threads=1, max_tokens=400)
    )
    await llm.load()  # type: ignore[attr-defined]
    ask = [ChatMessage("user", "Tell me a long story about the sea.")]
    running = asyncio.create_task(llm.complete(ask))
    queued = asyncio.create_task(llm.complete(ask))
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    llm.abandon()  # type: ignore[attr-defined]
    for task in (running, queued):
        with pytest.raises(Abandoned):
            await task
    assert time.perf_counter() - started < 2.0  # not the ~400 tokens a finished reply takes
    with pytest.raises(Abandoned):
        await llm.complete(ask)
    await llm.aclose()


async def test_a_reply_past_the_deadline_is_an_llm_error_and_the_model_stays_usable(
    gguf: Path,
) -> None:
    llm = build_llm(
        LLMSettings(provider="llamacpp", model_path=gguf, n_ctx=1024, n_threads=1, deadline_s=1.5)
    )
    try:
        with pytest.raises(LLMError, match=r"did not answer within 1\.5 s"):
            await llm.complete([ChatMessage("user", "Tell me a long story.")], max_tokens=400)
        out = await llm.complete([ChatMessage("user", "Hi")], max_tokens=1)
        assert out.output_tokens == 1
    finally:
        await llm.aclose()


async def test_idle_weights_are_unloaded_never_mid_reply_and_the_next_reply_loads_them(
    gguf: Path,
) -> None:
    llm = build_llm(
        LLMSettings(
            provider="llamacpp", model_path=gguf, n_ctx=256, n_threads=1, idle_unload_s=0.05
        )
    )
    weights = llm.weights  # type: ignore[attr-defined]
    await llm.load()  # type: ignore[attr-defined]
    first = weakref.ref(weights.peek())
    seen: list[bool] = []

    async def watch() -> None:
        while True:
            seen.append(weights.loaded)
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(watch())
    try:
        out = await llm.complete([ChatMessage("user", "Tell me a story.")], max_tokens=12)
        watcher.cancel()
        assert out.output_tokens > 0 and len(seen) > 5 and all(seen)  # held for the whole reply
        for _ in range(300):  # idle for 0.05 s: the reaper drops and closes the weights
            gc.collect()
            if first() is None:
                break
            await asyncio.sleep(0.01)
        assert not weights.loaded and first() is None  # the Llama object (its weights) is gone
        again = await llm.complete([ChatMessage("user", "Hi")], max_tokens=2)
        assert again.output_tokens > 0 and weights.loads == 2
    finally:
        watcher.cancel()
        await llm.aclose()
    assert not weights.loaded
