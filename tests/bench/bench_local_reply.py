"""Local reply latency: the packaged Gemma 3 270M GGUF answering WhatsApp questions through our
llama.cpp adapter, with the prompt the engine builds for a model of its size.

Side by side in one run (the machine is shared and noisy; compare the ratios):
- prefill   the sized prompt, 1 token out: the time to read the prompt (≈ time to first token)
- short     the sized prompt, a short reply (48 tokens: a typical WhatsApp answer of an
            instruction-tuned model, which ends its turn by itself; this base model never does,
            so it always writes the whole budget) — the figure the p95 ≤ 5 s target is about
- budget    the sized prompt, the engine's full reply budget (200 tokens): the worst case
- unsized   the prompt before this change (all 5 passages, full length), a short reply

Questions and passages come from ../shared/eval (XQuAD English paragraphs, StackFAQ threads):
each prompt carries the question's own passage and the next one as a distractor.

    python -m tests.bench.bench_local_reply [--questions 20] [--threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from app.ai import prompt, prompt_fit
from app.llm import ChatMessage, LLMSettings, Passage, build_llm
from app.llm.catalog import FAMILIES
from tests.bench.datasets import stackfaq, xquad
from tests.fakes.gguf import gemma_gguf

SHORT, BUDGET = 48, prompt_fit.REPLY_TOKENS


def questions(n: int) -> list[tuple[str, list[Passage]]]:
    """(question, [its passage, a distractor]) alternating XQuAD-en and StackFAQ."""
    out: list[tuple[str, list[Passage]]] = []
    xq, sf = xquad("en"), stackfaq()
    xq_ids, sf_ids = list(xq.passages), list(sf.passages)
    seen: set[str] = set()
    for (q1, gold1), (q2, gold2) in zip(xq.queries, sf.queries, strict=False):
        for query, gold, ids, source in ((q1, gold1, xq_ids, xq), (q2, gold2, sf_ids, sf)):
            if gold in seen:
                continue
            seen.add(gold)
            other = ids[(ids.index(gold) + 1) % len(ids)]
            hits = [_passage(source, gold, 0.9), _passage(source, other, 0.7)]
            out.append((query, hits))
        if len(out) >= n:
            break
    return out[:n]


def _passage(source: object, pid: str, score: float) -> Passage:
    faqs = getattr(source, "faqs", None)
    if faqs and pid in faqs:
        q, a = faqs[pid]
        return Passage(pid, f"Q: {q}\nA: {a}", score, "faq", question=q, answer=a)
    return Passage(pid, source.passages[pid], score)  # type: ignore[attr-defined]


def system_for(hits: list[Passage]) -> str:
    return prompt.system_prompt(
        prompt.PromptInput(
            bot_name="Aimy",
            persona="the friendly assistant of a small online shop. Be brief.",
            contact_name="Priya",
            language="en",
            passages=hits,
        )
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(n: int, threads: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gguf = gemma_gguf(Path(tmp))
        llm = build_llm(
            LLMSettings(
                provider="llamacpp",
                model_path=gguf,
                temperature=FAMILIES["gemma3"].temperature,
                n_threads=threads,
            )
        )
        started = time.perf_counter()
        await llm.load()  # type: ignore[attr-defined]
        load_s = time.perf_counter() - started
        fit = prompt_fit.fit_for(llm.profile, BUDGET)
        asked = questions(n)
        load_before = os.getloadavg()[0]
        modes = {
            "prefill": (True, 1),
            "short": (True, SHORT),
            "budget": (True, BUDGET),
            "unsized": (False, SHORT),
        }
        rows: dict[str, list[tuple[float, int, int]]] = {m: [] for m in modes}
        for mode, (sized, tokens) in modes.items():
            for question, hits in asked:
                shown = prompt_fit.passages(hits, fit) if sized else hits * 3  # 5-6 full ones
                t0 = time.perf_counter()
                out = await llm.complete(
                    [ChatMessage("user", question)], system=system_for(shown[:5]),
                    max_tokens=tokens,
                )  # fmt: skip
                rows[mode].append((time.perf_counter() - t0, out.input_tokens, out.output_tokens))
        await llm.aclose()
    load_after = os.getloadavg()[0]
    print(
        f"\ngemma-3-270m Q4_K_M, n_threads={threads or 'default (half the cores)'}, "
        f"cpus={os.cpu_count()}, load {load_before:.1f} → {load_after:.1f}, model load "
        f"{load_s:.2f} s, {n} questions (XQuAD-en + StackFAQ), fit {fit}\n"
    )
    print("| mode | prompt tokens (median) | reply tokens | p50 | p95 | max |")
    print("| --- | --: | --: | --: | --: | --: |")
    for mode, values in rows.items():
        secs = [v[0] for v in values]
        print(
            f"| {mode} | {statistics.median(v[1] for v in values):.0f} | "
            f"{statistics.median(v[2] for v in values):.0f} | {pct(secs, 0.5):.2f} s | "
            f"{pct(secs, 0.95):.2f} s | {max(secs):.2f} s |"
        )
    p50 = {m: pct([v[0] for v in rows[m]], 0.5) for m in rows}
    print(
        f"\nratios (p50): unsized/short {p50['unsized'] / p50['short']:.2f}, "
        f"budget/short {p50['budget'] / p50['short']:.2f}; "
        f"reference for app/llm/speed.py: prefill_s={p50['prefill']:.2f}, "
        f"decode_s={p50['short'] - p50['prefill']:.2f}, "
        f"p95_s={pct([v[0] for v in rows['short']], 0.95):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.questions, args.threads))


if __name__ == "__main__":
    main()
