"""The calibrator: a logistic regression over named signals, one per route and embedder family.

P(the reply is right) = 1 / (1 + exp(-(bias + Σ weight·signal))). The numbers live in
app/answers/coefficients.py, written by `python -m tests.bench.fit_answers` from answerable
and unanswerable questions built out of ../shared/eval (half of each set indexed, questions
about the other half unanswerable), fitted on one split and checked on a held-out one.

Families: "e5" — the default embedder, whose cosines the dense signals were fitted on; and
"lexical" — any other embedder (its cosines were never calibrated, so they are not used) and
keyword-only retrieval: term coverage and keyword signals alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# "faq"/"passage": P(that route's reply is right); "*_ans": P(the knowledge base answers the
# question at all) — a model writes its own reply, so that is what caps a model's confidence
Route = Literal["faq", "passage", "faq_ans", "passage_ans"]
Family = Literal["e5", "lexical"]
CALIBRATED_EMBEDDERS = frozenset({"multilingual-e5-small-q4"})


def value(signals: Mapping[str, float], name: str) -> float:
    """A signal by name; "a*b" is the product of two signals (an interaction term)."""
    if "*" in name:
        left, right = name.split("*", 1)
        return value(signals, left) * value(signals, right)
    return float(signals.get(name, 0.0))


@dataclass(frozen=True, slots=True)
class Logistic:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def of(cls, bias: float, weights: Mapping[str, float]) -> Logistic:
        """From {"signal": weight, "a*b": weight, …}: one named number per line in the code."""
        return cls(tuple(weights), tuple(weights.values()), bias)

    def logit(self, signals: Mapping[str, float]) -> float:
        return self.bias + sum(
            w * value(signals, f) for f, w in zip(self.features, self.weights, strict=True)
        )

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.logit(signals)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


def family(embedder: str | None, dense: bool) -> Family:
    """Which coefficients apply: the dense ones only for the embedder they were fitted on."""
    return "e5" if dense and embedder in CALIBRATED_EMBEDDERS else "lexical"


Models = Mapping[tuple[Route, Family], Logistic]
