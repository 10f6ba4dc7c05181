"""Loaders for ../shared/eval/retrieval, read in place: (passages, queries with gold ids)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


def eval_dir() -> Path:
    env = os.environ.get("AIMY_EVAL_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "eval"
        if candidate.is_dir():
            return candidate
    return Path("/work/shared/eval")


@dataclass(frozen=True)
class EvalSet:
    name: str
    passages: dict[str, str]  # id → text
    queries: list[tuple[str, str]]  # (query, gold passage id)
    faqs: dict[str, tuple[str, str]] | None = None  # id → (question, answer): FAQ units


def stackfaq() -> EvalSet:
    """125 FAQ threads, each indexed as one unit (question + answers); 1,249 paraphrases."""
    from app.rag.indexing import faq_text

    raw = json.loads((eval_dir() / "retrieval/stackfaq/stackExchange-FAQ.json").read_text())
    passages: dict[str, str] = {}
    faqs: dict[str, tuple[str, str]] = {}
    queries: list[tuple[str, str]] = []
    for i, qa in enumerate(raw["root"]["qapair"]):
        answers = qa["answer"] if isinstance(qa["answer"], list) else [qa["answer"]]
        pid = f"t{i}"
        faqs[pid] = (qa["question"], "\n".join(a for a in answers if a))
        passages[pid] = faq_text(*faqs[pid])
        rephr = qa.get("rephr") or []
        rephr = rephr if isinstance(rephr, list) else [rephr]
        queries += [(q, pid) for q in rephr if isinstance(q, str) and q.strip() and q != "*"]
    return EvalSet("stackfaq", passages, queries, faqs)


def xquad(lang: str) -> EvalSet:
    raw = json.loads((eval_dir() / f"retrieval/xquad/xquad.{lang}.json").read_text())
    passages: dict[str, str] = {}
    queries: list[tuple[str, str]] = []
    for a, article in enumerate(raw["data"]):
        for p, para in enumerate(article["paragraphs"]):
            pid = f"a{a}p{p}"
            passages[pid] = para["context"]
            queries += [(qa["question"], pid) for qa in para["qas"]]
    return EvalSet(f"xquad-{lang}", passages, queries)


def all_sets() -> list[EvalSet]:
    return [stackfaq(), *(xquad(lang) for lang in ("en", "es", "hi", "ar"))]
