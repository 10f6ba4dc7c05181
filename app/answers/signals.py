"""Named answerability signals, the calibrator's inputs — each one available offline.

- `*_rel`: a cosine minus the question's baseline (its mean cosine to everyday sentences no
  knowledge base is about: app/answers/evidence.py) — e5's raw cosines sit at 0.8-0.95 for
  related and unrelated text alike; how far *above the question's own baseline* a text sits
  is what separates them.
- `*_z`: the chosen candidate against the spread of the question's other candidates.
- `*_gap`: the margin to the best competing source.
- `cov_*`: the share of the question's content terms the answer / its passage / the whole
  candidate set holds ("paypal" in none of them says more than any cosine).
- `idf_*`: the same shares, each term weighted by how rare it is *among the question's own
  candidates* (log((N+1)/(df+0.5))): the article's name, common to all candidates, counts
  little; the specific term the question hinges on counts a lot, and a term no candidate
  holds counts most.
- `back_question`: the share of an FAQ question's terms the customer's question holds — a
  paraphrase covers both ways.
- `figure`: 0 when the question asks for a figure (how much, when …) and the answer has none.
"""

from __future__ import annotations

import numpy as np

from app.answers.evidence import Candidate, Evidence
from app.answers.reader import Reading, asks_figure, term_rarity
from app.answers.terms import content_terms, coverage, stems, weighted_coverage

Signals = dict[str, float]
NO_RIVAL_GAP = 0.1  # the gap when nothing competes (a one-source knowledge base)


def _rel(ev: Evidence, cosine: float | None) -> float:
    if cosine is None or ev.baseline is None:
        return 0.0
    return cosine - ev.baseline


def _z(ev: Evidence, cosine: float | None) -> float:
    if cosine is None or ev.spread is None:
        return 0.0
    mean, std = ev.spread
    return (cosine - mean) / max(std, 0.01)


def _kb_stems(ev: Evidence) -> set[str]:
    out: set[str] = set()
    for c in ev.candidates:
        out |= c.terms
    return out


def _idf(ev: Evidence, wanted: list[str]) -> dict[str, float]:
    """Rarity of each question term among the question's distinct candidates."""
    return term_rarity(ev, wanted)


def passage(ev: Evidence, reading: Reading) -> Signals:
    wanted = content_terms(ev.question)
    cand = reading.candidate
    gap = NO_RIVAL_GAP
    if reading.unit_cosine is not None and reading.rival_cosine is not None:
        gap = reading.unit_cosine - reading.rival_cosine
    has_figure = any(ch.isdigit() for ch in reading.text)
    idf = _idf(ev, wanted)
    return {
        "idf_answer": weighted_coverage(wanted, stems(reading.text), idf),
        "idf_passage": weighted_coverage(wanted, cand.terms, idf),
        "unit_rel": _rel(ev, reading.unit_cosine),
        "unit_gap": gap,
        "passage_rel": _rel(ev, cand.cosine),
        "passage_z": _z(ev, cand.cosine),
        "cov_answer": coverage(wanted, stems(reading.text)),
        "cov_passage": coverage(wanted, cand.terms),
        "cov_kb": coverage(wanted, _kb_stems(ev)),
        "keyword": cand.keyword,
        "rank": float(min(reading.passage_rank, 10)),
        "figure": 0.0 if asks_figure(ev.question) and not has_figure else 1.0,
        "terms": float(min(len(wanted), 10)),
    }


def faq(
    ev: Evidence, cand: Candidate, question_cos: float | None, rival_cos: float | None
) -> Signals:
    """Signals that `cand` (an FAQ) is the one the question paraphrases."""
    wanted = content_terms(ev.question)
    gap = NO_RIVAL_GAP
    if question_cos is not None and rival_cos is not None:
        gap = question_cos - rival_cos
    idf = _idf(ev, wanted)
    asked = stems(ev.question)
    return {
        "idf_question": weighted_coverage(wanted, stems(cand.question or ""), idf),
        "idf_faq": weighted_coverage(wanted, cand.terms, idf),
        "back_question": coverage(content_terms(cand.question or ""), asked),
        "question_rel": _rel(ev, question_cos),
        "question_gap": gap,
        "faq_rel": _rel(ev, cand.cosine),
        "faq_z": _z(ev, cand.cosine),
        "cov_question": coverage(wanted, stems(cand.question or "")),
        "cov_faq": coverage(wanted, cand.terms),
        "cov_kb": coverage(wanted, _kb_stems(ev)),
        "keyword": cand.keyword,
        "rank": float(min(ev.candidates.index(cand), 10)),
        "terms": float(min(len(wanted), 10)),
    }


def symmetric(ev: Evidence, question_cos: float | None, rival_cos: float | None) -> Signals:
    """The FAQ question compared as a paraphrase (both sides embedded as queries)."""
    if question_cos is None or ev.query_baseline is None:
        return {"sym_rel": 0.0, "sym_gap": NO_RIVAL_GAP}
    gap = question_cos - rival_cos if rival_cos is not None else NO_RIVAL_GAP
    return {"sym_rel": question_cos - ev.query_baseline, "sym_gap": gap}


def question_cosines(ev: Evidence, faqs: list[Candidate], vectors: np.ndarray) -> list[float]:
    """The question's similarity to each FAQ's *question* (not its answer)."""
    if ev.query_vector is None or not faqs:
        return []
    return [float(x) for x in vectors @ ev.query_vector]
