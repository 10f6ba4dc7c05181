"""The matching span: the sentence of a hit that shares most words with the query.

Shown to the user next to a source (seed §6 KB test panel) and usable for citation.
Lexical on purpose: embedding every sentence of every hit would double query latency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.vectors.lexical import tokenize

_SENTENCE_END = re.compile(r"(?<=[.!?।؟\n])\s+")


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # character offsets into the hit's content
    end: int
    text: str


def best_span(query: str, content: str) -> Span:
    """Sentence of `content` with the largest overlap with the query's words (first on ties)."""
    words = set(tokenize(query))
    best: Span | None = None
    best_score = -1
    pos = 0
    for sentence in _SENTENCE_END.split(content):
        start = content.find(sentence, pos)
        if start < 0 or not sentence.strip():
            continue
        pos = start + len(sentence)
        score = len(words & set(tokenize(sentence)))
        if score > best_score:
            best, best_score = Span(start, pos, sentence.strip()), score
    return best or Span(0, len(content), content)
