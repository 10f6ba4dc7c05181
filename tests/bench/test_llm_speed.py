"""Local-mode LLM speed: time to first token and decode tokens/s of llama-cpp-python with the
Gemma 3 270M GGUF, through the raw binding (streaming) and through our adapter.

Run on demand:  pytest tests/bench/test_llm_speed.py -s
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from app.llm import ChatMessage, LLMSettings, build_llm
from tests.fakes.gguf import gemma_gguf

llama_cpp = pytest.importorskip("llama_cpp")

SYSTEM = (
    "You are Aimy, the assistant of a small bakery. Use the knowledge base context to answer. "
    "Knowledge Base Context: We are open Monday to Saturday from 7:00 to 19:00. Sourdough bread "
    "costs 4.50 euros. We deliver within 5 km for orders over 20 euros. Cakes must be ordered "
    "two days in advance. Gluten-free bread is available on Fridays. Rules: be concise."
)
QUESTION = "Can I order a birthday cake for tomorrow and have it delivered?"
MAX_TOKENS = 64
RUNS = 3


def stream_once(llama: object, messages: list[dict[str, str]]) -> tuple[float, int, float]:
    """(time to first token s, generated chunks, decode seconds after the first token)."""
    started = time.perf_counter()
    first = None
    count = 0
    for chunk in llama.create_chat_completion(  # type: ignore[attr-defined]
        messages=messages, max_tokens=MAX_TOKENS, temperature=0.0, stream=True
    ):
        if chunk["choices"][0]["delta"].get("content"):
            count += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    assert first is not None
    return first - started, count, end - first


@pytest.mark.parametrize("threads", [1, 2])
def test_llamacpp_ttft_and_tokens_per_second(tmp_path: Path, threads: int) -> None:
    gguf = gemma_gguf(tmp_path)
    started = time.perf_counter()
    llama = llama_cpp.Llama(
        model_path=str(gguf),
        n_ctx=2048,
        n_threads=threads,
        n_threads_batch=threads,
        chat_format="gemma",
        verbose=False,
    )
    load_s = time.perf_counter() - started
    messages = [{"role": "user", "content": f"{SYSTEM}\n\n{QUESTION}"}]
    stream_once(llama, messages)  # warm-up
    runs = []
    for _ in range(RUNS):
        llama.reset()  # no prompt cache reuse: measure full prompt processing
        runs.append(stream_once(llama, messages))
    ttft = statistics.median(r[0] for r in runs)
    tps = statistics.median((r[1] - 1) / r[2] for r in runs if r[1] > 1 and r[2] > 0)
    prompt_tokens = len(llama.tokenize(messages[0]["content"].encode()))
    llama.close()

    adapter = build_llm(
        LLMSettings(
            provider="llamacpp",
            model_path=gguf,
            chat_format="gemma",
            n_threads=threads,
            n_ctx=2048,
            temperature=0.0,
        )
    )

    async def through_adapter() -> tuple[float, int]:
        await adapter.load()  # type: ignore[attr-defined]
        out = await adapter.complete(
            [ChatMessage("user", QUESTION)], system=SYSTEM, max_tokens=MAX_TOKENS
        )
        out = await adapter.complete(
            [ChatMessage("user", QUESTION)], system=SYSTEM, max_tokens=MAX_TOKENS
        )
        await adapter.aclose()
        return out.latency_ms, out.output_tokens

    latency_ms, out_tokens = asyncio.run(through_adapter())
    print(
        f"\n[llamacpp gemma3-270m q4_k_m, n_threads={threads}, cpus={os.cpu_count()}] "
        f"load {load_s:.2f}s | prompt ~{prompt_tokens} tok | TTFT median {ttft * 1000:.0f} ms | "
        f"decode {tps:.1f} tok/s | adapter complete(): {latency_ms:.0f} ms for {out_tokens} tok"
    )


@pytest.mark.parametrize("threads", [1, 2])
def test_llama_bench_reference(tmp_path: Path, threads: int) -> None:
    """llama.cpp's own `llama-bench` on the same GGUF, for comparison with the binding.

    Not shipped by llama-cpp-python; build it from the sdist's vendor/llama.cpp with
    `cmake -B build -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF && cmake --build build --target
    llama-bench` and point LLAMA_BENCH at build/bin/llama-bench.
    """
    binary = os.environ.get("LLAMA_BENCH") or shutil.which("llama-bench")
    if not binary:
        pytest.skip("set LLAMA_BENCH to a llama-bench binary")
    gguf = gemma_gguf(tmp_path)
    env = {**os.environ, "LD_LIBRARY_PATH": str(Path(binary).parent)}
    result = subprocess.run(
        [binary, "-m", str(gguf), "-p", "108", "-n", str(MAX_TOKENS), "-t", str(threads),
         "-r", "3", "-o", "csv"],
        capture_output=True, text=True, check=True, env=env, timeout=600,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    figures = {f"pp{r['n_prompt']}" if r["n_prompt"] != "0" else f"tg{r['n_gen']}":
               float(r["avg_ts"]) for r in rows}  # fmt: skip
    pp, tg = figures["pp108"], figures[f"tg{MAX_TOKENS}"]
    print(
        f"\n[llama-bench gemma3-270m q4_k_m, t={threads}] prompt {pp:.1f} tok/s "
        f"(≈ TTFT {108 / pp * 1000:.0f} ms for 108 tok) | decode {tg:.1f} tok/s"
    )
