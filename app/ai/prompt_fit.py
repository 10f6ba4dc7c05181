"""How much a reply may say and how much prompt a model may read, for WhatsApp.

A WhatsApp answer is a few sentences: replies get a short token budget (150, or the
workspace's max tokens when that is lower): the review's 270M model read 4,182 prompt tokens
and wrote 881 in 76 s. Reading the prompt is the other half of a local reply's time on a small
CPU, so smaller models get fewer and shorter passages and less history, and no prompt may
outgrow the model's context window (read from its GGUF). Cloud models (no profile) keep the
full prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.workspace_settings import WorkspaceSettings
from app.llm import Passage
from app.llm.base import ModelProfile

REPLY_TOKENS = 150  # ≈ 110 words: a long WhatsApp message already
MIN_REPLY_TOKENS = 16
CHARS_PER_TOKEN = 3  # conservative across scripts (English ~4, Hindi/Arabic fewer)
PROMPT_OVERHEAD_TOKENS = 350  # persona, rules, hours, contact facts, the question
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)")


@dataclass(frozen=True, slots=True)
class Fit:
    passages: int  # how many retrieval hits the prompt carries
    passage_chars: int  # each passage's text is cut (at a sentence, else a word) to this
    history: int  # earlier messages the model sees at most


# (largest parameter count in billions, fit): the first row that holds the model applies
TIERS: tuple[tuple[float, Fit], ...] = (
    (0.6, Fit(passages=2, passage_chars=450, history=4)),
    (2.0, Fit(passages=3, passage_chars=700, history=6)),
    (5.0, Fit(passages=4, passage_chars=1000, history=10)),
    (float("inf"), Fit(passages=5, passage_chars=1600, history=20)),
)


def reply_budget(ws: WorkspaceSettings) -> int:
    """Tokens a reply may use: short for WhatsApp, the workspace's max tokens when lower."""
    limit = ws.ai_max_tokens or REPLY_TOKENS
    return max(MIN_REPLY_TOKENS, min(REPLY_TOKENS, limit))


def fit_for(profile: ModelProfile | None, reply_tokens: int) -> Fit | None:
    """The prompt size for a local model; None (no limits) for cloud models."""
    if profile is None:
        return None
    fit = next(f for top, f in TIERS if profile.parameters_b <= top)
    room = profile.context_window - reply_tokens - PROMPT_OVERHEAD_TOKENS
    history_tokens = fit.history * 40  # short WhatsApp messages
    per_passage = (room - history_tokens) * CHARS_PER_TOKEN // max(fit.passages, 1)
    if per_passage < fit.passage_chars:  # a small window: shorter passages, then fewer
        chars = max(200, per_passage)
        count = max(1, min(fit.passages, (room - history_tokens) * CHARS_PER_TOKEN // chars))
        return replace(fit, passages=count, passage_chars=chars)
    return fit


def passages(hits: Sequence[Passage], fit: Fit | None) -> list[Passage]:
    """The best `fit.passages` hits, each cut to `fit.passage_chars` (FAQ: its answer)."""
    if fit is None:
        return list(hits)
    out = []
    for hit in hits[: fit.passages]:
        if hit.kind == "faq" and hit.answer is not None:
            out.append(replace(hit, answer=shorten(hit.answer, fit.passage_chars)))
        else:
            out.append(replace(hit, text=shorten(hit.text, fit.passage_chars)))
    return out


def history_limit(ws: WorkspaceSettings, fit: Fit | None) -> int:
    wanted = ws.max_conversation_history
    return wanted if fit is None else min(wanted, fit.history)


def shorten(text: str, limit: int) -> str:
    """`text` up to `limit` chars, ending at a sentence if one ends in the second half."""
    text = text.strip()
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]]
    cut = window.rsplit(" ", 1)[0] if " " in window[limit // 2 :] else window
    return cut.rstrip(" ,;:") + " …"
