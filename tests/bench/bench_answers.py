"""What customers get, per set and language: the no-model default and the packaged gemma-3-270m
(provider `llamacpp`) side by side, on held-out questions.

Run: python -m tests.bench.bench_answers [--sets ...] [--model-questions 5] [--latency 40]
     [--threshold 0.6] [--out tests/bench/RESULTS-answers.md]

Per set: precision of sent answers, coverage (answerable questions answered right), decline
rate (unanswerable ones escalated), ECE of the confidence, p50/p95 reply latency. The no-model
figures cover every held-out question; latency is measured on a sample with the real embedder
and cold caches (tests/bench/answer_runs.py). The model mode is slow on 2 cores, so it runs a
few questions per set (answerable and unanswerable alike) — a direction, not a calibration.
Also printed: the second stage (reading sentences across the top five passages vs quoting
from the first passage only) — kept only if it helps.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.ai import confidence, prompt
from app.ai.signals import detect_language
from app.answers.answerer import Answerer
from app.answers.combine import model_confidence
from app.answers.evidence import prompt_passages
from app.answers.matching import contains
from app.answers.reader import read
from app.answers.terms import content_terms, coverage, stems
from app.llm import ChatMessage, LLMError, LLMSettings, build_llm
from tests.bench.answer_runs import (
    Asked,
    Built,
    CachedEmbeddings,
    ask_all,
    build,
    cache_dir,
    latency,
)
from tests.bench.answer_sets import AnswerSet, all_sets
from tests.bench.fit_answers import ece

SETS = "stackfaq,xquad-en,xquad-es,xquad-hi,xquad-ar,documents"


@dataclass
class Figures:
    p: list[float] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    answerable: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)  # the no-model route's send floor

    def row(self, threshold: float) -> dict[str, float]:
        p, y = np.array(self.p), np.array(self.right)
        ok = np.array(self.answerable, dtype=bool)
        floor = np.array(self.floor) if self.floor else np.zeros(len(p))
        sent = p >= np.maximum(threshold, floor)  # what the engine sends
        nan = float("nan")
        return {
            "n": float(len(p)),
            "precision": float(y[sent].mean()) if sent.any() else nan,
            "coverage": float((y[ok] * sent[ok]).mean()) if ok.any() else nan,
            "decline": float((~sent[~ok]).mean()) if (~ok).any() else nan,
            "ece": ece(p, y),
            "p50": statistics.median(self.seconds) if self.seconds else nan,
            "p95": float(np.percentile(self.seconds, 95)) if self.seconds else nan,
        }


def no_model(asked: list[Asked], answerer: Answerer) -> Figures:
    out = Figures()
    for a in asked:
        q = a.question
        ans = answerer.answer(a.evidence, a.language, detect_language)
        if ans.route == "faq":
            right = q.answerable and ans.source_ids[0] in q.gold
        else:
            right = q.answerable and ans.quote is not None and contains(ans.quote, q.gold)
        out.p.append(ans.confidence)
        out.right.append(int(right))
        out.answerable.append(q.answerable)
        out.floor.append(ans.floor)
    return out


def second_stage(asked: list[Asked], answerer: Answerer) -> tuple[float, float]:
    """Share of answerable questions whose quote holds the answer: reading the top five
    passages sentence by sentence vs reading the first passage only."""
    five = one = n = 0
    for a in asked:
        if not a.question.answerable or a.question.set == "stackfaq":
            continue
        n += 1
        r5 = read(a.evidence, answerer.vectors, answerer.reader, passages=5)
        r1 = read(a.evidence, answerer.vectors, answerer.reader, passages=1)
        five += bool(r5 and contains(r5.text, a.question.gold))
        one += bool(r1 and contains(r1.text, a.question.gold))
    return (five / n, one / n) if n else (float("nan"), float("nan"))


def _model_right(a: Asked, reply: str, s: AnswerSet) -> bool:
    q = a.question
    if not q.answerable:
        return False
    if q.set == "stackfaq":  # the reply says what the gold FAQ's answer says (half its terms)
        gold = s.faqs[q.gold[0]][1]
        return coverage(content_terms(gold)[:20], stems(reply)) >= 0.5
    return contains(reply, q.gold)


async def with_model(
    asked: list[Asked], answerer: Answerer, built: Built, llm: Any, n: int, seed: int = 7
) -> Figures:
    out = Figures()
    pool = list(asked)
    random.Random(seed).shuffle(pool)
    for a in pool[:n]:
        started = time.perf_counter()
        # three passages of at most ~150 tokens: a 270M model's prompt must stay small (the
        # engine's sizing for small models is the local-models work; this keeps it comparable)
        passages = [
            replace(p, text=p.text[:600], answer=(p.answer or "")[:400] or None)
            for p in prompt_passages(a.evidence, 3, built.retriever.min_score)
        ]
        system = prompt.system_prompt(
            prompt.PromptInput("Assistant", None, None, a.language, passages)
        )
        try:
            reply = await llm.complete([ChatMessage("user", a.question.text)], system=system)
            ctx = [prompt.format_passage(p) for p in passages]
            ask = confidence.prompt(a.question.text, reply.text, ctx)
            judged = await llm.complete([ChatMessage("user", ask)], max_tokens=40, temperature=0.0)
        except LLMError:  # the engine sends the holding message: nothing asserted
            out.seconds.append(time.perf_counter() - started)
            out.p.append(0.0)
            out.right.append(0)
            out.answerable.append(a.question.answerable)
            continue
        judge = confidence.parse(judged.text)[0]
        answerable = answerer.answerability(a.evidence) if a.evidence.candidates else None
        score = model_confidence(judge, answerable, reply.text, [p.text for p in passages],
                                 a.question.text)  # fmt: skip
        out.seconds.append(time.perf_counter() - started)
        out.p.append(score if score is not None else 0.0)
        out.right.append(int(_model_right(a, reply.text, built.set)))
        out.answerable.append(a.question.answerable)
    return out


def _fmt(v: float, pct: bool = True) -> str:
    if v != v:  # nan
        return "–"
    return f"{v:.2f}" if pct else f"{v:.2f} s"


def table(results: dict[str, dict[str, dict[str, float]]], threshold: float) -> str:
    lines = [
        f"Workspace threshold {threshold} (the default); without a model the route's send "
        "floor applies on top (app/answers/coefficients.py SEND_FLOOR). Held-out questions only.",
        "",
        "| set | mode | n | precision | coverage | decline | ECE | p50 | p95 | warm p50 "
        "| warm p95 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, modes in results.items():
        for mode, r in modes.items():
            lines.append(
                f"| {name} | {mode} | {int(r['n'])} | {_fmt(r['precision'])} | "
                f"{_fmt(r['coverage'])} | {_fmt(r['decline'])} | {_fmt(r['ece'])} | "
                f"{_fmt(r['p50'], False)} | {_fmt(r['p95'], False)} | "
                f"{_fmt(r.get('warm50', float('nan')), False)} | "
                f"{_fmt(r.get('warm95', float('nan')), False)} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=SETS)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--latency", type=int, default=40, help="questions per set timed cold")
    ap.add_argument("--model-questions", type=int, default=5, help="per set; 0: no model mode")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from app.embeddings import build_embeddings

    inner = build_embeddings(type("S", (), {"embedding_mode": "e5"})())
    emb = CachedEmbeddings(inner, cache_dir() / f"answers-{inner.name}.pkl")
    llm = None
    if args.model_questions:
        from tests.fakes.gguf import gemma_gguf

        gguf = gemma_gguf(Path(cache_dir()) / "models")
        llm = build_llm(
            LLMSettings(provider="llamacpp", model_path=gguf, chat_format="gemma", n_ctx=2048,
                        max_tokens=200, temperature=0.2)
        )  # fmt: skip
    results: dict[str, dict[str, dict[str, float]]] = {}
    stages = []
    for s in all_sets(args.sets.split(",")):
        answerer = Answerer()
        built = build(s, emb)
        held = [q for q in s.questions if q.split == "test"]
        ask_all(built, answerer, emb, held)
        emb.save()
        figures = no_model(built.asked, answerer)
        sample = random.Random(3).sample(held, min(args.latency, len(held)))
        figures.seconds = latency(built, answerer, inner, sample)
        results.setdefault(s.name, {})["no model"] = figures.row(args.threshold)
        warm = latency(built, answerer, inner, sample, warm=emb)
        results[s.name]["no model"] |= {
            "warm50": statistics.median(warm),
            "warm95": float(np.percentile(warm, 95)),
        }
        stages.append((s.name, *second_stage(built.asked, answerer)))
        if llm is not None:
            gemma = asyncio.run(with_model(built.asked, answerer, built, llm, args.model_questions))
            results[s.name]["gemma-3-270m"] = gemma.row(args.threshold)
        print(table({s.name: results[s.name]}, args.threshold).splitlines()[-1 - (llm is not None)])
        print(f"  second stage: {stages[-1][1]:.3f} (top 5 read) vs {stages[-1][2]:.3f} (top 1)")
    text = table(results, args.threshold)
    text += "\n\n| set | quote holds the answer: top-5 sentence reading | top-1 passage only |\n"
    text += "|---|---:|---:|\n" + "\n".join(f"| {n} | {a:.3f} | {b:.3f} |" for n, a, b in stages)
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
