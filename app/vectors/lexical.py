"""Language-neutral keyword tokens and a small BM25, shared by the stores.

One tokenizer for every store keeps keyword search identical across adapters. Tokens are
letter runs *including combining marks* (Devanagari matras and viramas, Arabic harakat) or
digit runs, case-folded: `\\w` alone would cut Hindi words at every vowel sign.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence

import regex

_TOKEN = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}\p{N}]*|\p{N}+")


def tokenize(text: str) -> list[str]:
    """Case-folded word tokens of `text` (NFKC-normalised)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def terms_text(text: str) -> str:
    """Tokens joined by spaces: what a whitespace-tokenised full-text index should store."""
    return " ".join(tokenize(text))


def bm25_scores(
    query: Sequence[str], docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75
) -> list[float]:
    """Okapi BM25 of each tokenised doc for the tokenised query (Lucene's idf, always ≥ 0)."""
    n = len(docs)
    if n == 0:
        return []
    avgdl = sum(len(d) for d in docs) / n or 1.0
    counts = [Counter(d) for d in docs]
    terms = set(query)
    df = {t: sum(1 for c in counts if t in c) for t in terms}
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    scores = []
    for doc, c in zip(docs, counts, strict=True):
        norm = k1 * (1 - b + b * len(doc) / avgdl)
        s = 0.0
        for t in query:
            tf = c.get(t, 0)
            if tf:
                s += idf[t] * tf * (k1 + 1) / (tf + norm)
        scores.append(s)
    return scores
