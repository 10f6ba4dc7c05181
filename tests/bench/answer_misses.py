"""Where coverage is lost: every held-out answerable question the no-model mode does not answer
right, put in one bucket.

Run: python -m tests.bench.answer_misses [--sets ...] [--asked /tmp/asked.pkl] [--threshold 0.6]
     [--compare other/coefficients.py]

`--compare` scores the same asked questions with another coefficients file as well (main's, say)
and prints both summaries — precision of sent answers, coverage, decline rate, ECE — side by side.

Buckets (per set, counts):
- **a retrieval**: the right source is not among what the reader reads — for documents and
  XQuAD no passage of the first `READ_PASSAGES` chunk candidates contains the gold answer
  (`a20` when one of the 20 candidates does, further down); for StackFAQ the paraphrased FAQ is
  not among the `FAQ_CANDIDATES` FAQs whose paraphrase probability is computed.
- **b reader**: the right passage / FAQ was there but the answer chosen is another one (another
  sentence, another FAQ) that the matcher rejects.
- **c below floor**: the answer chosen is right, but its calibrated probability is below the
  send threshold (the workspace's 0.6 or the route's `SEND_FLOOR`), so it went to a person.
- **d matcher**: judged wrong by the benchmark's matcher though probably acceptable — a quote
  that holds at least half of the gold span's words but not the span itself ("Labor" for
  "Australian Labor Party"), or, for StackFAQ, a sibling FAQ whose answer holds half of the gold
  answer's first 20 content terms. A heuristic upper bound, not a judgement by a person.
The b/d split is only done for answers that were *not* sent: a wrong sent answer is counted
apart (it costs precision, not coverage). The asked questions can be saved and re-loaded with
`--asked` (the format `tests.bench.fit_answers --asked` reads: both splits are asked).
"""

from __future__ import annotations

import argparse
import importlib.util
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.ai.signals import detect_language
from app.answers.answerer import FAQ_CANDIDATES, Answer, Answerer, send_threshold
from app.answers.matching import contains, normalise
from app.answers.reader import READ_PASSAGES
from app.answers.terms import content_terms, coverage, stems
from tests.bench.answer_runs import Asked
from tests.bench.answer_sets import all_sets
from tests.bench.fit_answers import asked_questions, ece

SETS = "stackfaq,xquad-en,xquad-es,xquad-hi,xquad-ar,documents"
BUCKETS = ("a", "a20", "b", "c", "d")


@dataclass(frozen=True, slots=True)
class Outcome:
    set: str
    question: str
    bucket: str  # "right" (sent and right), "wrong-sent", "declined", "unanswerable-sent",
    # or one of BUCKETS
    confidence: float
    floor: float
    answerable: bool = True
    right: bool = False  # the answer chosen is right (sent or not)
    sent: bool = False


def _partial(quote: str, gold: tuple[str, ...]) -> bool:
    """The quote holds at least half of some gold span's words (not the span itself)."""
    words = set(normalise(quote).split())
    for g in gold:
        wanted = normalise(g).split()
        if wanted and sum(w in words for w in wanted) / len(wanted) >= 0.5:
            return True
    return False


def classify(a: Asked, ans: Answer, threshold: float, faq_answers: dict[str, str]) -> str:
    """The bucket of one answerable question's outcome."""
    q, ev = a.question, a.evidence
    if ans.route == "faq":
        right = ans.source_ids[0] in q.gold
    else:
        right = ans.quote is not None and contains(ans.quote, q.gold)
    sent = ans.route != "none" and ans.confidence >= send_threshold(threshold, ans)
    if sent:
        return "right" if right else "wrong-sent"
    if right:
        return "c"
    if q.set == "stackfaq":
        read = {c.source_id for c in ev.faqs[:FAQ_CANDIDATES]}
        if not read & set(q.gold):
            return "a20" if any(c.source_id in q.gold for c in ev.faqs) else "a"
        if ans.route == "faq":
            gold_terms = content_terms(faq_answers.get(q.gold[0], ""))[:20]
            if gold_terms and coverage(gold_terms, stems(ans.text or "")) >= 0.5:
                return "d"
        return "b"
    if not any(contains(c.text, q.gold) for c in ev.chunks[:READ_PASSAGES]):
        return "a20" if any(contains(c.text, q.gold) for c in ev.chunks) else "a"
    if ans.quote is not None and _partial(ans.quote, q.gold):
        return "d"
    return "b"


def outcomes(asked: list[Asked], answerer: Answerer, threshold: float) -> list[Outcome]:
    faq_answers: dict[str, str] = {}
    for s in all_sets(sorted({a.question.set for a in asked})):
        faq_answers |= {fid: answer for fid, (_, answer) in s.faqs.items()}
    out = []
    for a in asked:
        q = a.question
        if q.split != "test":
            continue
        ans = answerer.answer(a.evidence, a.language, detect_language)
        sent = ans.route != "none" and ans.confidence >= send_threshold(threshold, ans)
        if not q.answerable:
            bucket = "unanswerable-sent" if sent else "declined"
            out.append(
                Outcome(q.set, q.text, bucket, ans.confidence, ans.floor, False, False, sent)
            )
            continue
        bucket = classify(a, ans, threshold, faq_answers)
        right = bucket in ("right", "c")
        out.append(Outcome(q.set, q.text, bucket, ans.confidence, ans.floor, True, right, sent))
    return out


def summary(found: list[Outcome]) -> dict[str, dict[str, float]]:
    """Per set: precision of sent answers, coverage, decline rate, ECE (as bench_answers)."""
    out = {}
    for name in dict.fromkeys(o.set for o in found):
        mine = [o for o in found if o.set == name]
        sent = [o for o in mine if o.sent]
        ok = [o for o in mine if o.answerable]
        no = [o for o in mine if not o.answerable]
        p = np.array([o.confidence for o in mine])
        y = np.array([int(o.right) for o in mine])
        out[name] = {
            "sent": float(len(sent)),
            "precision": sum(o.right for o in sent) / len(sent) if sent else float("nan"),
            "coverage": sum(o.right and o.sent for o in ok) / len(ok) if ok else float("nan"),
            "decline": sum(not o.sent for o in no) / len(no) if no else float("nan"),
            "ece": ece(p, y),
        }
    return out


def side_by_side(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    """Summaries of several coefficient sets, one row per set and variant."""
    lines = [
        "| set | variant | sent | precision | coverage | decline | ECE |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    names = dict.fromkeys(n for r in rows.values() for n in r)
    for name in names:
        for variant, r in rows.items():
            f = r[name]
            lines.append(
                f"| {name} | {variant} | {int(f['sent'])} | {f['precision']:.3f} | "
                f"{f['coverage']:.3f} | {f['decline']:.3f} | {f['ece']:.3f} |"
            )
    return "\n".join(lines)


def answerer_from(path: Path) -> Answerer:
    """An answerer with the reader weights, models and floors of another coefficients file."""
    spec = importlib.util.spec_from_file_location("other_coefficients", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Answerer(module.READER, module.MODELS, module.SEND_FLOOR)


def table(found: list[Outcome]) -> str:
    lines = [
        "| set | answerable | right (sent) | wrong sent | a: not retrieved (a20: below the "
        "5 read) | b: wrong sentence / FAQ | c: right, below the floor | d: matcher (partial) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in dict.fromkeys(o.set for o in found):
        mine = [o for o in found if o.set == name and o.answerable]
        n = Counter(o.bucket for o in mine)
        lines.append(
            f"| {name} | {len(mine)} | {n['right']} | {n['wrong-sent']} | "
            f"{n['a'] + n['a20']} ({n['a20']}) | {n['b']} | {n['c']} | {n['d']} |"
        )
    return "\n".join(lines)


def below_floor(found: list[Outcome]) -> str:
    """How far below the floor the right-but-unsent answers (bucket c) sit."""
    lines = [
        "| set | c | p10 | p50 | p90 | ≥ 0.90 | ≥ 0.95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in dict.fromkeys(o.set for o in found):
        p = np.array([o.confidence for o in found if o.set == name and o.bucket == "c"])
        if not len(p):
            continue
        q10, q50, q90 = np.percentile(p, [10, 50, 90])
        lines.append(
            f"| {name} | {len(p)} | {q10:.2f} | {q50:.2f} | {q90:.2f} | "
            f"{int((p >= 0.9).sum())} | {int((p >= 0.95).sum())} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=SETS)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--asked", default="", help="pickle of asked questions: load or save")
    ap.add_argument("--compare", default="", help="another coefficients.py (main's, say)")
    args = ap.parse_args()
    emb, answerer, asked = asked_questions(args.sets, args.asked)
    found = outcomes(asked, answerer, args.threshold)
    rows = {"this branch": summary(found)}
    if args.compare:
        other = answerer_from(Path(args.compare))
        other.vectors = answerer.vectors  # the units embedded so far stay cached
        rows = {"compared": summary(outcomes(asked, other, args.threshold)), **rows}
    emb.save()
    print(table(found))
    print()
    print(below_floor(found))
    print()
    print(side_by_side(rows))


if __name__ == "__main__":
    main()
