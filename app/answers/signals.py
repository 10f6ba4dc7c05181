"""Named answerability signals, the calibrator's inputs — each one available offline.

- `*_rel`: a cosine minus the question's baseline (its mean cosine to everyday sentences no
  knowledge base is about: app/answers/evidence.py) — e5's raw cosines sit at 0.8-0.95 for
  related and unrelated text alike; how far *above the question's own baseline* a text sits
  is what separates them.
- `*_z`: the chosen candidate against the spread of the question's other candidates.
- `*_gap`: the margin to the best competing source.
- `unit_margin`, `unit_z`: how far the quoted sentence stands out from the sentences it does
  not quote — its reader score minus the best other unit's, and its cosine against the spread
  of every unit read (app/answers/reader.py).
- `cov_*`: the share of the question's content terms the answer / its passage / the whole
  candidate set holds ("paypal" in none of them says more than any cosine).
- `idf_*`: the same shares, each term weighted by how rare it is *among the question's own
  candidates* (log((N+1)/(df+0.5))): the article's name, common to all candidates, counts
  little; the specific term the question hinges on counts a lot, and a term no candidate
  holds counts most.
- `back_question`: the share of an FAQ question's terms the customer's question holds — a
  paraphrase covers both ways.
- `figure`: 0 when the question asks for a figure (how much, when …) and the answer has none.
- `qtype`: 1 when the question and an FAQ's question ask the same kind of thing (a time, a
  place, an amount, a way, a reason, a yes/no …), 0 when they differ, 0.5 when either is
  unclear.
- `foreign`: the share of the question's terms an FAQ lacks but another FAQ's question holds —
  "strikethrough in Gmail" against "strikethrough with GitHub" when a Gmail FAQ exists too.
- `numbers`: 0 when the question holds a number the FAQ does not, else 1.
- `latin`: the question's share of Latin-script letters. e5's similarities and the crude stems
  sit on another scale for Devanagari and Arabic text than for Latin text; knowing the script,
  the quote model weighs the sentence's similarity more steeply (unit_rel 23 → 31) and shifts
  the other scripts' scale (weight −0.79 for a fully Latin question). Without it, confident
  misses in Hindi and Arabic held the quote's send floor at 0.99 for every language (session 9,
  tests/bench/RESULTS-answers.md).
- `akind`: 1 when the quote holds something new of the kind the question asks for (an amount,
  a date, a name), 0 when it holds none, 0.5 when the kind gives no test.
"""

from __future__ import annotations

import re

import numpy as np

from app.answers.evidence import Candidate, Evidence
from app.answers.reader import Reading, asks_figure, term_rarity
from app.answers.terms import content_terms, coverage, stems, weighted_coverage

Signals = dict[str, float]
NO_RIVAL_GAP = 0.1  # the gap when nothing competes (a one-source knowledge base)
FAQ_RIVALS = 3  # the FAQs whose questions count as the competition (the answerer's candidates)


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
        "unit_margin": reading.margin if reading.margin is not None else NO_RIVAL_GAP,
        "unit_z": reading.unit_z or 0.0,
        "passage_rel": _rel(ev, cand.cosine),
        "passage_z": _z(ev, cand.cosine),
        "cov_answer": coverage(wanted, stems(reading.text)),
        "cov_passage": coverage(wanted, cand.terms),
        "cov_kb": coverage(wanted, _kb_stems(ev)),
        "keyword": cand.keyword,
        "rank": float(min(reading.passage_rank, 10)),
        "figure": 0.0 if asks_figure(ev.question) and not has_figure else 1.0,
        "akind": answer_kind(ev.question, reading.text),
        "latin": latin_share(ev.question),
        "terms": float(min(len(wanted), 10)),
    }


# question kinds by their opening words (en, es, fr, de, pt, it): order matters — "how much"
# before "how", "what time" before "what"
_KINDS = (
    ("amount", r"how (much|many|long|often|far|big|old)|cu[aá]nt[oa]s?|combien|wie (viel|lange)"
               r"|quant[oa]s?|what (is the )?(price|cost|fee)"),
    ("time", r"when|what time|at what time|by when|cu[aá]ndo|quand|wann|quando|a qu[eé] hora"
             r"|what (are|is) (your |the )?(\w+ )?(hours|time|date|deadline)"),
    ("place", r"where|d[oó]nde|o[uù]|wo|onde|dove"),
    ("reason", r"why|por qu[eé]|pourquoi|warum|perch[eé]"),
    ("person", r"who|whom|qui[eé]n|qui|wer|quem|chi"),
    ("way", r"how|c[oó]mo|comment|wie|como|come|what('s| is) the (best |easiest |fastest )?way"),
    ("choice", r"which|what|cu[aá]l|qu[eé]|quel|welche|was|qual|cosa"),
    ("yesno", r"(can|could|do|does|did|is|are|was|were|will|would|should|may|have|has)\b"
              r"|\w+ (puedo|puede|se puede)|est-ce|kann|posso|pu[oò]"),
)  # fmt: skip
_KIND_RES = tuple((kind, re.compile(rf"^\W*(?:{pattern})\b", re.I)) for kind, pattern in _KINDS)
# Hindi and Arabic put the question word anywhere in the sentence
_KINDS_ANYWHERE = (
    ("amount", r"कितन|(?<!\w)كم(?!\w)"),
    ("time", r"कब|(?<!\w)متى(?!\w)|किस (वर्ष|साल)|أي عام|في أي سنة"),
    ("place", r"कहा[ँं]|(?<!\w)أين(?!\w)"),
    ("reason", r"क्यों|(?<!\w)لماذا(?!\w)"),
    ("person", r"(?<!\w)(कौन|किसने)(?!\w)|(?<!\w)من هو|من هي|(?<!\w)من(?= \w+ )"),
)
_KIND_ANY_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _KINDS_ANYWHERE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MONTH = re.compile(
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|octubre|noviembre|diciembre|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|noon|midnight|century|siglo)\b",
    re.I,
)
_YEAR = re.compile(r"(1[5-9]|20)\d\d")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][\w-]+")


def latin_share(text: str) -> float:
    """Share of the question's letters in Latin script (the quote model reads the scale of
    e5's similarities per script from it)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(ch < "\u0250" for ch in letters) / len(letters)


def question_kind(text: str) -> str | None:
    """What a question asks for, from its question word (None: no clear kind)."""
    for kind, pattern in _KIND_RES:
        if pattern.search(text):
            return kind
    for kind, pattern in _KIND_ANY_RES:
        if pattern.search(text):
            return kind
    return None


def answer_kind(question: str, quote: str) -> float:
    """1 when the quote holds something new of the kind the question asks for (an amount or
    a date it does not already hold, a name for who/where), 0 when it holds none, 0.5 when the
    kind gives no test (what, how, why, yes/no)."""
    kind = question_kind(question)
    fresh_numbers = set(_NUMBER.findall(quote)) - set(_NUMBER.findall(question))
    if kind == "amount":  # a year is not an amount ("in October 1954" for "how much money")
        return 1.0 if any(not _YEAR.fullmatch(n) for n in fresh_numbers) else 0.0
    if kind == "time":
        months = {m.group(0).lower() for m in _MONTH.finditer(quote)}
        months -= {m.group(0).lower() for m in _MONTH.finditer(question)}
        return 1.0 if fresh_numbers or months else 0.0
    if kind in ("person", "place"):
        if not any("A" <= ch <= "z" for ch in quote):
            return 0.5  # no Latin capitals to look for
        asked = {w.lower() for w in re.findall(r"[\w-]+", question)}
        names = {m.group(0).lower() for m in _NAME.finditer(quote)}
        return 1.0 if names - asked else 0.0
    return 0.5


def _same_kind(a: str, b: str) -> float:
    ka, kb = question_kind(a), question_kind(b)
    if ka is None or kb is None:
        return 0.5
    return 1.0 if ka == kb else 0.0


def _foreign(wanted: list[str], cand: Candidate, others: list[Candidate]) -> float:
    """Share of the question's terms `cand` lacks that another FAQ's question holds."""
    if not wanted:
        return 0.0
    elsewhere: set[str] = set()
    for o in others:
        if o.id != cand.id:
            elsewhere |= stems(o.question or "")
    return sum(t not in cand.terms and t in elsewhere for t in wanted) / len(wanted)


def _numbers(question: str, text: str) -> float:
    asked = set(_NUMBER.findall(question))
    return 0.0 if asked - set(_NUMBER.findall(text)) else 1.0


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
        "qtype": _same_kind(ev.question, cand.question or ""),
        "foreign": _foreign(wanted, cand, ev.faqs[:FAQ_RIVALS]),
        "numbers": _numbers(ev.question, cand.searchable),
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
