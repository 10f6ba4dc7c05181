"""A model's reply: its own judgement (the secondary prompt, given the passages) combined with
what retrieval says, so that a model that rates 0.9 an answer no passage supports is not 0.9.

    confidence = min(judge, P(the knowledge base answers the question))      (a KB exists)
               = judge                                                       (no KB content)
and a reply stating a figure (an amount, a date, a phone number) that neither the passages nor
the question hold is capped at `UNSUPPORTED_FIGURE_CAP`: a made-up number is the worst answer.

This is a rule, not a fit: cloud models can't be calibrated offline here, and the packaged
270M model's judgements are noise (tests/bench/RESULTS-answers.md shows both modes side by side).
P(answerable) is calibrated (app/answers/calibration.py, routes "*_ans").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

UNSUPPORTED_FIGURE_CAP = 0.2
_FIGURE = re.compile(r"(?<![\w.])(\d[\d.,:/–-]*\d|\d{2,})(?![\w])")


def figures(text: str) -> set[str]:
    """Numbers of two or more digits (or with separators), normalised; list markers ignored."""
    body = re.sub(r"(?m)^\s*\d{1,2}[.)]\s", " ", text)
    return {re.sub(r"[^\d]", "", m.group(1)) for m in _FIGURE.finditer(body)}


def unsupported_figures(reply: str, context: Sequence[str], question: str) -> set[str]:
    known: set[str] = set()
    for text in [*context, question]:
        known |= figures(text)
    return {f for f in figures(reply) if f and f not in known}


def model_confidence(
    judge: float | None,
    answerable: float | None,
    reply: str,
    context: Sequence[str],
    question: str,
) -> float | None:
    """The confidence of a model-written reply (None: nothing usable to say)."""
    if judge is None and answerable is None:
        return None
    if judge is None:
        score = answerable
    elif answerable is None:
        score = judge
    else:
        score = min(judge, answerable)
    assert score is not None
    if unsupported_figures(reply, context, question):
        score = min(score, UNSUPPORTED_FIGURE_CAP)
    return score
