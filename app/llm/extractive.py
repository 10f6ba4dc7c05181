"""The no-model "LLM": answers with the best retrieved FAQ answer or passage sentences.

It is the default when no model is configured, so a fresh offline install still replies from
its knowledge base. Input contract: the engine passes the retrieval hits it would put in the
system prompt as `complete(..., context=[Passage, ...])`; the query is the last user message.
The reply's `confidence` is the chosen hit's retrieval score and `sources` its id, so the engine
skips the secondary confidence prompt and escalates through its usual threshold.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from app.llm.base import ChatMessage, Completion, Image, LLMSettings, Passage
from app.llm.errors import LLMError

NO_ANSWER = (
    "Sorry, I don't have that information yet. Let me connect you with a person who can help."
)
FAQ_MARGIN = 0.05  # a curated FAQ answer wins over a slightly better-scoring raw passage
MAX_SENTENCES = 2
MAX_CHARS = 700
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}|\n(?=[-*•])")
_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
# fmt: off
_STOP = frozenset({
    "the", "and", "for", "are", "you", "your", "our", "with", "what", "how", "can", "does",
    "have", "this", "that", "from", "when", "where", "which", "who", "why", "will", "would",
    "there", "their", "about", "into", "any", "all", "was", "were", "has", "had", "not", "but",
})
# fmt: on


def _terms(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP}


def best_sentences(passage: str, query: str) -> str:
    """Up to two sentences sharing most words with the query, kept in their original order."""
    sentences = [s.strip() for s in _SENTENCE.split(passage) if s.strip()]
    if not sentences:
        return passage.strip()
    wanted = _terms(query)
    overlap = [len(wanted & _terms(sentence)) for sentence in sentences]
    ranked = sorted((i for i in range(len(sentences)) if overlap[i]), key=lambda i: -overlap[i])
    chosen = sorted(ranked[:MAX_SENTENCES]) or [0]  # nothing in common: lead with the opening
    text = " ".join(sentences[i] for i in chosen)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def pick(context: Sequence[Passage]) -> Passage | None:
    """The best hit, preferring an FAQ within `FAQ_MARGIN` of the top score."""
    if not context:
        return None
    top = max(context, key=lambda p: p.score)
    faqs = [p for p in context if p.kind == "faq" and (p.answer or p.text)]
    best_faq = max(faqs, key=lambda p: p.score, default=None)
    if best_faq is not None and best_faq.score >= top.score - FAQ_MARGIN:
        return best_faq
    return top


class ExtractiveLLM:
    provider = "extractive"
    supports_vision = False
    profile = None

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = settings.model or "extractive"

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        context: Sequence[Passage] = (),
    ) -> Completion:
        started = time.perf_counter()
        query = next((m.content for m in reversed(messages) if m.role == "user"), "")
        hit = pick(context)
        sources: tuple[str, ...]
        if hit is None:
            text, confidence, sources = NO_ANSWER, 0.0, ()
        elif hit.kind == "faq":
            text, confidence, sources = (hit.answer or hit.text).strip(), hit.score, (hit.id,)
        else:
            text, confidence, sources = best_sentences(hit.text, query), hit.score, (hit.id,)
        return Completion(
            text=text,
            input_tokens=0,
            output_tokens=0,
            model=self.model,
            provider=self.provider,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
            confidence=max(0.0, min(1.0, confidence)),
            sources=sources,
        )

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        raise LLMError("the extractive responder cannot look at images")

    async def aclose(self) -> None:
        return None
