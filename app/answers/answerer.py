"""Retrieval evidence → the answer the no-model bot would send, with P(it is right).

Two routes compete and the more probable one wins:
- **FAQ**: an FAQ's curated answer, only when the question paraphrases *that FAQ's question*
  (calibrated on paraphrase signals) — not merely because it is the nearest FAQ: "Can I pay
  with PayPal?" is near "Do you deliver?" and paraphrases nothing.
- **passage**: the reader's quote of the best sentence(s) with its source.

The probability is the calibrator's (app/answers/calibration.py), and it is what the customer's
conversation shows. What is *sent* is held to `send_threshold`: the workspace's threshold, but
never below the route's `SEND_FLOOR` — the lowest threshold at which that route's answers were
right at least 95 % of the time on the fit split (tests/bench/fit_answers.py; checked on
held-out questions in tests/bench/RESULTS-answers.md). A quote cannot be hedged or reworded, and
a wrong one is worse than a hand-over, so this mode's default is that floor. In this mode a quote in
another language than the question's is not an answer the customer can use — the mode cannot
translate — so its probability is capped at `MISMATCH_CAP`.
Blocking (embeds units): call it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.answers import calibration, signals
from app.answers.coefficients import MODELS, READER, SEND_FLOOR
from app.answers.evidence import Baselines, Candidate, Embed, Evidence, gather
from app.answers.reader import ReaderWeights, Reading, UnitVectors, citation, read
from app.answers.text import units
from app.rag.retrieval import Candidates

FAQ_CANDIDATES = 3  # FAQs whose paraphrase probability is computed
WARM_UNITS = 4000  # reading units of one document embedded ahead of the first question
WARM_BATCH = 64
MISMATCH_CAP = 0.05
Detect = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Answer:
    text: str | None  # what would be sent; None when there is nothing to quote
    confidence: float  # calibrated P(the reply is right)
    route: Literal["faq", "passage", "none"]
    sources: tuple[str, ...] = ()  # point ids: chunk ids, FAQ ids
    source_ids: tuple[str, ...] = ()  # the documents / FAQs they belong to
    signals: Mapping[str, float] = field(default_factory=dict)
    quote: str | None = None  # the passage text without its citation
    floor: float = 1.0  # the least confidence at which this route's answer may be sent


NOTHING = Answer(None, 0.0, "none")


def send_threshold(workspace_threshold: float, answer: Answer) -> float:
    """The confidence a no-model answer needs to be sent: the workspace's threshold when it is
    stricter, else its route's fitted floor (a lower setting cannot make the reader guess)."""
    return max(workspace_threshold, answer.floor)


def _better(new: Answer, best: Answer) -> bool:
    """A sendable answer beats one below its floor; then the more probable one wins."""
    if best.route == "none":
        return True
    new_ok, best_ok = new.confidence >= new.floor, best.confidence >= best.floor
    if new_ok != best_ok:
        return new_ok
    return new.confidence > best.confidence


def _lang_ok(language: str | None, text: str, detect: Detect | None) -> float:
    """1 same language, 0 different, 0.5 when either is unknown."""
    if detect is None or not language:
        return 0.5
    found = detect(text)
    if not found:
        return 0.5
    return 1.0 if found.split("-")[0] == language.split("-")[0] else 0.0


class Answerer:
    """Holds what outlives one question: background vectors and the unit-vector cache."""

    def __init__(
        self,
        reader: ReaderWeights | None = None,
        models: calibration.Models | None = None,
        floors: Mapping[str, float] | None = None,
        cache_size: int = 20_000,
    ) -> None:
        self.baselines = Baselines()
        self.vectors = UnitVectors(cache_size)
        self.query_vectors = UnitVectors(cache_size // 4)
        self.reader = reader or READER  # the fitted ones in app/answers/coefficients.py
        self.models = models or MODELS
        self.floors = floors or SEND_FLOOR
        # the FAQ questions embedded as queries (a second embedding call) only when a model
        # reads the symmetric signals
        self._symmetric = any(
            f.startswith("sym_") for m in self.models.values() for f in m.features
        )

    def _model(self, route: calibration.Route, fam: calibration.Family) -> calibration.Logistic:
        return self.models[(route, fam)]

    def evidence(
        self,
        question: str,
        found: Candidates,
        *,
        embed: Embed | None,
        embedder: str,
        titles: dict[str, str] | None = None,
        embed_queries: Embed | None = None,
    ) -> Evidence:
        return gather(
            question,
            found,
            embed=embed,
            embedder=embedder,
            baselines=self.baselines,
            titles=titles,
            embed_queries=embed_queries,
        )

    def warm(self, passages: Sequence[str], embed: Embed) -> int:
        """Embed the reading units of a document's passages when it is indexed, so the reader
        finds them cached instead of embedding them while a customer waits (a reply's main
        cost). At most WARM_UNITS per document, in passage order; returns how many."""
        found = list(dict.fromkeys(u for p in passages for u in units(p)))[:WARM_UNITS]
        for i in range(0, len(found), WARM_BATCH):
            self.vectors.get(embed, found[i : i + WARM_BATCH])
        return len(found)

    def faq_options(self, ev: Evidence) -> list[tuple[Candidate, dict[str, float]]]:
        """The first FAQ candidates with their paraphrase signals."""
        faqs = ev.faqs[:FAQ_CANDIDATES]
        if not faqs:
            return []
        texts = [f.question or f.text for f in faqs]
        cos: list[float | None] = [None] * len(faqs)
        sym: list[float | None] = [None] * len(faqs)
        if ev.embed is not None and ev.query_vector is not None:
            cos = list(signals.question_cosines(ev, faqs, self.vectors.get(ev.embed, texts)))
        if self._symmetric and ev.embed_queries is not None and ev.query_vector is not None:
            vecs = self.query_vectors.get(ev.embed_queries, texts)
            sym = list(signals.question_cosines(ev, faqs, vecs))
        out = []
        for i, f in enumerate(faqs):
            rivals = [c for j, c in enumerate(cos) if j != i and c is not None]
            sym_rivals = [c for j, c in enumerate(sym) if j != i and c is not None]
            sig = signals.faq(ev, f, cos[i], max(rivals, default=None))
            sig |= signals.symmetric(ev, sym[i], max(sym_rivals, default=None))
            out.append((f, sig))
        return out

    def passage_option(self, ev: Evidence) -> tuple[Reading, dict[str, float]] | None:
        reading = read(ev, self.vectors, self.reader)
        if reading is None:
            return None
        return reading, signals.passage(ev, reading)

    def answerability(self, ev: Evidence) -> float:
        """P(the knowledge base answers this question at all), from retrieval signals only:
        what caps a model's own judgement of its reply (app/answers/combine.py)."""
        dense = ev.query_vector is not None and ev.embed is not None
        fam = calibration.family(ev.embedder, dense)
        best = 0.0
        options = self.faq_options(ev)
        if options:
            best = self._model("faq_ans", fam).probability(options[0][1])
        option = self.passage_option(ev)
        if option is not None:
            p = self._model("passage_ans", fam).probability(option[1])
            best = max(best, p)
        return best

    def answer(self, ev: Evidence, language: str | None, detect: Detect | None = None) -> Answer:
        """The best of the FAQ and passage answers: one that clears its route's send floor
        first, then the most probable (never None: NOTHING instead)."""
        dense = ev.query_vector is not None and ev.embed is not None
        fam = calibration.family(ev.embedder, dense)
        best = NOTHING
        for cand, sig in self.faq_options(ev):
            sig["lang"] = _lang_ok(language, cand.text, detect)
            p = self._model("faq", fam).probability(sig)
            if sig["lang"] == 0.0:
                p = min(p, MISMATCH_CAP)
            new = Answer(cand.text, p, "faq", (cand.id,), (cand.source_id,), sig, cand.text,
                         self.floors["faq"])  # fmt: skip
            best = new if _better(new, best) else best
        option = self.passage_option(ev)
        if option is not None:
            reading, sig = option
            sig["lang"] = _lang_ok(language, reading.text, detect)
            p = self._model("passage", fam).probability(sig)
            if sig["lang"] == 0.0:
                p = min(p, MISMATCH_CAP)
            cite = citation(reading.candidate)
            text = f"{reading.text}\n\n{cite}" if cite else reading.text
            cand = reading.candidate
            new = Answer(text, p, "passage", (cand.id,), (cand.source_id,), sig, reading.text,
                         self.floors["passage"])  # fmt: skip
            best = new if _better(new, best) else best
        return best
