"""The no-model reader: the sentence(s) that answer, picked across the top passages, quoted whole.

Every passage of the first few candidates is cut into units (sentences, list items, whole table
rows: app/answers/text.py); each unit is embedded with the model that is already loaded and
scored by its similarity to the question, nudged by how well its passage ranked and how many of
the question's terms it holds (weights fitted in tests/bench/fit_answers.py). The best unit is
the answer; a neighbour joins it when the best one is a fragment, or when the question asks for
a figure (how much, when, कितने, كم …) that the best unit lacks but the next one has — the
answer is never cut before the key figure — or when the best unit is a lead-in ending in ":"
("The following CL commands can be used to …:"), whose answer is the list after it. At most
three units (a lead-in's list up to `MAX_LIST_ITEMS`), never cut mid-unit.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from app.answers.evidence import Candidate, Embed, Evidence
from app.answers.terms import content_terms, coverage, stems
from app.answers.text import BULLET, is_table_row, units

READ_PASSAGES = 5
MAX_UNITS = 3
MAX_LIST_ITEMS = 5  # items quoted after a lead-in ending in ":" (a list is short lines)
SHORT_UNIT = 60  # characters: a unit this short is likely a fragment ("See below.")
MAX_ANSWER_CHARS = 700  # companions are dropped, never the best unit, past this
_DIGIT = re.compile(r"\d")
_ASKS_FIGURE = re.compile(
    r"\b(how (much|many|long|old|far|big|often|tall|high|large)|what (year|date|time|day|"
    r"percentage|number|price|amount)|when|cost|price|fee|charge|deadline|"
    r"cu[aá]nt[oa]s?|cu[aá]ndo|qu[eé] a[nñ]o|precio|costo|combien|quand|wie (viel|viele|lange)|"
    r"wann|quant[oa]s?|quando|prezzo)\b|कितन|कब|किस (वर्ष|साल)|\bكم\b|متى|أي عام|في أي سنة",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ReaderWeights:
    """How a unit's score mixes its own similarity with its passage's rank and its terms."""

    passage: float = 0.5  # × (passage cosine − best passage cosine)
    terms: float = 0.02  # × share of the question's terms the unit holds
    companion: float = 0.015  # an adjacent unit this close to the best one joins it
    # a date question ("when", "by what date", "deadline", कब, متى …) favours units holding a
    # date: "By what date must the FAA receive comments on the Boeing 737 MAX proposal?" is
    # closer, by cosine, to the summary naming the Boeing 737 MAX than to "DATES: The FAA must
    # receive comments … by September 21, 2020". Set by hand on that case (not fitted).
    date: float = 0.04


@dataclass(frozen=True, slots=True)
class Reading:
    candidate: Candidate
    units: tuple[str, ...]  # quoted, in document order
    unit_cosine: float | None  # the best unit's similarity to the question
    rival_cosine: float | None  # the best unit of any other source
    passage_rank: int  # the chosen passage's rank among the candidates (0 = first)
    # the best unit's reader score minus the best score of a unit it does not quote, and its
    # cosine against the spread of every unit read: a sentence that stands out from its
    # neighbours is more often the answer than one that barely wins
    margin: float | None = None
    unit_z: float | None = None

    @property
    def text(self) -> str:
        joiner = "\n" if any(is_table_row(u) for u in self.units) else " "
        return joiner.join(self.units)


def term_rarity(ev: Evidence, wanted: list[str]) -> dict[str, float]:
    """How rare each question term is among the question's own candidates: the name every
    candidate shares ("Boeing") tells units apart less than the word only some hold
    ("comments")."""
    seen = {c.id: c.terms for c in ev.candidates}
    n = len(seen)
    return {t: math.log((n + 1) / (sum(t in s for s in seen.values()) + 0.5)) for t in wanted}


_ASKS_DATE = re.compile(
    r"\b(when|deadline|what date|which date|cu[aá]ndo|fecha|plazo|quand|wann|frist|quando|"
    r"prazo)\b|कब|किस तारीख|متى|موعد",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|octubre|noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|"
    r"septembre|octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember"
)
_DATE = re.compile(
    rf"\b({_MONTHS})\b\.?\s*\d{{1,2}}|\d{{1,2}}\.?\s+(de\s+)?({_MONTHS})\b|"
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|(?<![\d–-])(1[0-9]{3}|20[0-9]{2})(?![\d–-])",
    re.IGNORECASE,
)


def dated(question: str, unit: str) -> bool:
    """A date question and a unit that holds a date."""
    return bool(_ASKS_DATE.search(question) and _DATE.search(unit))


def asks_figure(question: str) -> bool:
    return bool(_ASKS_FIGURE.search(question))


class UnitVectors:
    """Vectors of units and FAQ questions, cached by text: a hot knowledge base is read again
    and again, and a reply should not wait for the same sentences to be embedded twice."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vectors of `texts` (None where absent), embedding nothing."""
        with self._lock:
            return [self._cache.get(t) for t in texts]

    def missing(self, texts: Sequence[str]) -> bool:
        with self._lock:
            return any(t not in self._cache for t in texts)

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Vectors made elsewhere (restored from the database) for `texts`."""
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._cache[text] = vector
                self._cache.move_to_end(text)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def get(self, embed: Embed, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self.put(missing, np.asarray(embed(missing), dtype=np.float32))
        with self._lock:
            vectors = [self._cache.get(t) for t in texts]
        present = [v for v in vectors if v is not None]
        if len(present) < len(vectors):  # evicted meanwhile by another thread: recompute
            return np.asarray(embed(list(texts)), dtype=np.float32)
        return np.stack(present) if present else np.zeros((0, 1), dtype=np.float32)


def read(
    ev: Evidence,
    vectors: UnitVectors,
    weights: ReaderWeights = ReaderWeights(),
    passages: int = READ_PASSAGES,
) -> Reading | None:
    """The best-answering units of the first `passages` chunk candidates, or None."""
    chunks = ev.chunks[:passages]
    table: list[tuple[int, int, str]] = []  # (candidate, position, unit)
    per: list[list[str]] = []
    for ci, cand in enumerate(chunks):
        found = units(cand.text)
        per.append(found)
        table.extend((ci, pos, u) for pos, u in enumerate(found))
    if not table:
        return None
    wanted = content_terms(ev.question)
    term_share = np.array([coverage(wanted, stems(u)) for _, _, u in table], dtype=np.float32)
    cosines: np.ndarray | None = None
    if ev.embed is not None and ev.query_vector is not None:
        cosines = vectors.get(ev.embed, [u for _, _, u in table]) @ ev.query_vector
        known = [c.cosine for c in chunks]
        top = max((c for c in known if c is not None), default=0.0)
        passage = np.array(
            [(c if (c := known[ci]) is not None else top) - top for ci, _, _ in table],
            dtype=np.float32,
        )
        has_date = np.array([dated(ev.question, u) for _, _, u in table], dtype=np.float32)
        score = (
            cosines
            + weights.passage * passage
            + weights.terms * term_share
            + weights.date * has_date
        )
    else:  # keyword-only: terms decide, the retrieval order breaks ties
        score = term_share - 0.01 * np.array([ci for ci, _, _ in table], dtype=np.float32)
    best = int(np.argmax(score))
    ci, pos, _ = table[best]
    chosen = _compose(ev.question, per[ci], pos, table, score, ci, weights)
    rival = margin = unit_z = None
    quoted = {i for i, (cj, p, _) in enumerate(table) if cj == ci and p in chosen}
    runners = [float(score[i]) for i in range(len(table)) if i not in quoted]
    if runners:
        margin = float(score[best]) - max(runners)
    if cosines is not None:
        unit_z = float((cosines[best] - cosines.mean()) / max(float(cosines.std()), 0.01))
        others = [
            float(cosines[i])
            for i, (cj, _, _) in enumerate(table)
            if chunks[cj].source_id != chunks[ci].source_id
        ]
        rival = max(others, default=None)
    return Reading(
        chunks[ci],
        tuple(per[ci][p] for p in chosen),
        float(cosines[best]) if cosines is not None else None,
        rival,
        ev.candidates.index(chunks[ci]),
        margin,
        unit_z,
    )


def _compose(
    question: str,
    found: list[str],
    pos: int,
    table: list[tuple[int, int, str]],
    score: np.ndarray,
    ci: int,
    weights: ReaderWeights,
) -> list[int]:
    """Positions (in `found`) to quote: the best unit and the companions it needs."""
    chosen = [pos]
    best = found[pos]
    if is_table_row(best):
        return chosen
    score_of = {p: float(score[i]) for i, (cj, p, _) in enumerate(table) if cj == ci}

    def add(p: int) -> None:
        if 0 <= p < len(found) and p not in chosen and not is_table_row(found[p]):
            chosen.append(p)

    if best.rstrip().endswith(":"):  # a lead-in: what it announces is the answer
        items = list(_list_after(found, pos))
        chosen += items or [p for p in (pos + 1,) if p < len(found)]
        while len(chosen) > 2 and sum(len(found[p]) for p in chosen) > MAX_ANSWER_CHARS:
            chosen.pop()
        return chosen

    if asks_figure(question) and not _DIGIT.search(best):
        for p in (pos + 1, pos - 1):
            if 0 <= p < len(found) and _DIGIT.search(found[p]):
                add(p)
                break
    if len(best) < SHORT_UNIT:
        add(pos + 1 if pos + 1 < len(found) else pos - 1)
    top = score_of[pos]
    for p in (pos + 1, pos - 1):
        if len(chosen) < MAX_UNITS and p in score_of and score_of[p] >= top - weights.companion:
            add(p)
    chosen = sorted(chosen)[:MAX_UNITS]
    while len(chosen) > 1 and sum(len(found[p]) for p in chosen) > MAX_ANSWER_CHARS:
        chosen.remove(max((p for p in chosen if p != pos), key=lambda p: abs(p - pos)))
    return sorted(chosen)


def _list_after(found: list[str], pos: int) -> Iterator[int]:
    """Positions of the list a lead-in announces: the bulleted, tabular or short lines right
    after it (PDF lists often lose their bullet glyphs: "Work Function Usage (WRKFCNUSG)"), up
    to the first ordinary sentence."""
    for p in range(pos + 1, min(len(found), pos + 1 + MAX_LIST_ITEMS)):
        unit = found[p]
        short = len(unit) < SHORT_UNIT and not unit.endswith((".", ":"))
        if not (BULLET.match(unit) or is_table_row(unit) or short):
            return
        yield p


def citation(candidate: Candidate) -> str | None:
    """ "— <document title>, p. 3" for a quoted passage."""
    if candidate.kind != "chunk" or not candidate.title:
        return None
    page = f", p. {candidate.page}" if candidate.page is not None else ""
    return f"— {candidate.title}{page}"
