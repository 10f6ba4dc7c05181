"""A model's reply is checked before a customer sees it: empty, cut off at the token budget,
looping, repeating a sentence, or only echoing the question. Such a reply is regenerated once
with a nudge; if the second one fails too, the engine hands the chat to a person instead.

Why: small local models degenerate. The review saw the 270M Gemma repeat one sentence for
881 tokens, sent as three WhatsApp messages with a confidence of 0.85. A loop is cheap to
recognise and expensive to send.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

from app.llm import LLM, ChatMessage, Completion, Passage

Problem = Literal["empty", "cut_off", "loop", "repeated_sentence", "echo"]
NUDGE = (
    "Your previous answer was unusable (it was {problem}). Answer again in one to three short, "
    "complete sentences, without repeating yourself."
)
PROBLEM_WORDS = {
    "empty": "empty",
    "cut_off": "cut off before it ended",
    "loop": "stuck in a loop",
    "repeated_sentence": "repeating a sentence",
    "echo": "only the question repeated",
}
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_WORD = re.compile(r"\w+", re.UNICODE)
_CHAR_LOOP = re.compile(r"(.{6,}?)\1{3,}", re.S)  # a run repeated 4+ times, any script
MIN_SENTENCE_WORDS = 3  # "Yes." twice is not a loop
NGRAM = 3
DISTINCT_SHARE = 0.5  # under half of a long reply's 3-grams distinct: it goes round in circles


@dataclass(frozen=True, slots=True)
class Verdict:
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def check(reply: str, question: str, *, truncated: bool = False) -> Verdict:
    """What is wrong with `reply` to `question`, if anything."""
    text = reply.strip()
    if not text:
        return Verdict("empty")
    words = _norm(text).split()
    if truncated:
        return Verdict("cut_off")
    if _CHAR_LOOP.search(text):
        return Verdict("loop")
    sentences = [_norm(s) for s in _SENTENCE.split(text)]
    long_ones = [s for s in sentences if len(s.split()) >= MIN_SENTENCE_WORDS]
    if long_ones and Counter(long_ones).most_common(1)[0][1] >= 2:
        return Verdict("repeated_sentence")
    grams = [tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]
    if len(grams) >= 12 and len(set(grams)) / len(grams) < DISTINCT_SHARE:
        return Verdict("loop")
    asked = _norm(question)
    if words and asked and not _norm(text).replace(asked, " ").split():
        return Verdict("echo")
    return Verdict()


@dataclass(frozen=True, slots=True)
class Checked:
    """The reply to send (when `verdict.ok`), with the tokens of every attempt counted."""

    answer: Completion
    verdict: Verdict
    attempts: int


async def generate(
    llm: LLM,
    question: str,
    messages: list[ChatMessage],
    *,
    system: str,
    context: list[Passage],
    max_tokens: int,
) -> Checked:
    """Ask `llm`, check the reply, ask once more with a nudge if it is unusable."""
    answer = await llm.complete(messages, system=system, context=context, max_tokens=max_tokens)
    verdict = check(answer.text, question, truncated=answer.truncated)
    if verdict.ok or llm.provider == "extractive":  # quotes the knowledge base; nothing to fix
        return Checked(answer, Verdict(), 1)
    nudge = NUDGE.format(problem=PROBLEM_WORDS[verdict.problem or "empty"])
    second = await llm.complete(
        messages, system=f"{system}\n\n{nudge}", context=context, max_tokens=max_tokens
    )
    spent = replace(
        second,
        input_tokens=answer.input_tokens + second.input_tokens,
        output_tokens=answer.output_tokens + second.output_tokens,
        latency_ms=answer.latency_ms + second.latency_ms,
        cost_usd=(answer.cost_usd or 0.0) + (second.cost_usd or 0.0)
        if answer.cost_usd is not None or second.cost_usd is not None
        else None,
    )
    return Checked(spent, check(second.text, question, truncated=second.truncated), 2)
