"""Local reply latency: the packaged Gemma 3 270M GGUF answering WhatsApp questions through our
llama.cpp adapter, with the prompt the engine builds for a model of its size.

Side by side in one run (the machine is shared and noisy; compare the ratios):
- prefill   the sized prompt, 1 token out: the time to read the prompt (≈ time to first token)
- short     the sized prompt, a short reply (48 tokens: a typical WhatsApp answer of an
            instruction-tuned model, which ends its turn by itself; this base model never does,
            so it always writes the whole budget) — the figure the p95 ≤ 5 s target is about
- budget    the sized prompt, the engine's full reply budget (200 tokens): the worst case
- unsized   the prompt before this change (5 passages, full length), a short reply; a prompt
            that outgrows the 4,096-token window fails (counted) — the engine then escalated

Besides wall time, each row reports the CPU time the reply cost (all threads of this process):
with llama.cpp's default of one thread on a 2-core machine, that is what the reply takes on an
otherwise idle core — the figure to compare with the target when other work shares the machine.

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
from app.llm import ChatMessage, LLMError, LLMSettings, Passage, build_llm
from app.llm.catalog import FAMILIES
from tests.bench.datasets import stackfaq, xquad
from tests.fakes.gguf import gemma_gguf

SHORT, BUDGET = 48, prompt_fit.REPLY_TOKENS


def questions(n: int) -> list[tuple[str, list[Passage]]]:
    """(question, [its passage, 4 neighbours]) alternating XQuAD-en and StackFAQ; the sized
    prompt keeps what the engine keeps of them for this model (the first two, shortened)."""
    out: list[tuple[str, list[Passage]]] = []
    xq, sf = xquad("en"), stackfaq()
    xq_ids, sf_ids = list(xq.passages), list(sf.passages)
    seen: set[str] = set()
    for (q1, gold1), (q2, gold2) in zip(xq.queries, sf.queries, strict=False):
        for query, gold, ids, source in ((q1, gold1, xq_ids, xq), (q2, gold2, sf_ids, sf)):
            if gold in seen:
                continue
            seen.add(gold)
            at = ids.index(gold)
            others = [ids[(at + k) % len(ids)] for k in range(1, 5)]
            hits = [_passage(source, gold, 0.9)] + [_passage(source, o, 0.7) for o in others]
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
        rows: dict[str, list[tuple[float, int, int, float]]] = {m: [] for m in modes}
        print(
            f"\ngemma-3-270m Q4_K_M, n_threads={threads or 'default (half the cores)'}, "
            f"cpus={os.cpu_count()}, load average {load_before:.1f} at the start, model load "
            f"{load_s:.2f} s, {n} questions (XQuAD-en + StackFAQ), fit {fit}\n",
            flush=True,
        )
        print(
            "| mode | prompt tokens (median) | reply tokens | p50 | p95 | max | "
            "CPU p50 | CPU p95 | failed |"
        )
        print("| --- | --: | --: | --: | --: | --: | --: | --: | --: |", flush=True)
        for mode, (sized, tokens) in modes.items():
            failed = 0
            for question, hits in asked:
                shown = prompt_fit.passages(hits, fit) if sized else hits
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    out = await llm.complete(
                        [ChatMessage("user", question)], system=system_for(shown),
                        max_tokens=tokens,
                    )  # fmt: skip
                except LLMError:  # the prompt outgrew the context window
                    failed += 1
                    continue
                cpu = time.process_time() - c0
                wall = time.perf_counter() - t0
                rows[mode].append((wall, out.input_tokens, out.output_tokens, cpu))
            values = rows[mode]
            secs, cpus = [v[0] for v in values], [v[3] for v in values]
            print(
                f"| {mode} | {statistics.median(v[1] for v in values):.0f} | "
                f"{statistics.median(v[2] for v in values):.0f} | {pct(secs, 0.5):.2f} s | "
                f"{pct(secs, 0.95):.2f} s | {max(secs):.2f} s | {pct(cpus, 0.5):.2f} s | "
                f"{pct(cpus, 0.95):.2f} s | {failed} |",
                flush=True,
            )
        await llm.aclose()
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    p50 = {m: pct([v[0] for v in rows[m]], 0.5) for m in rows}
    cpu50 = {m: pct([v[3] for v in rows[m]], 0.5) for m in rows}
    print(
        f"\nratios (p50 wall): unsized/short {p50['unsized'] / p50['short']:.2f}, "
        f"budget/short {p50['budget'] / p50['short']:.2f}; "
        f"reference for app/llm/speed.py (CPU, idle core): prefill_s={cpu50['prefill']:.2f}, "
        f"decode_s={cpu50['short'] - cpu50['prefill']:.2f}, "
        f"p95_s={pct([v[3] for v in rows['short']], 0.95):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.questions, args.threads))


if __name__ == "__main__":
    main()
