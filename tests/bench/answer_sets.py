"""Answerable and unanswerable questions from ../shared/eval, with fit and held-out splits.

- StackFAQ: half of the 125 FAQ threads are indexed; paraphrases of the other half are
  unanswerable. Right = the chosen FAQ is the paraphrased one.
- XQuAD (en/es/hi/ar, parallel): half of the 240 paragraphs are indexed (one document per
  paragraph, titled by its article); questions about the other half are unanswerable. Right =
  the reply contains the gold answer span (normalised).
- Documents: questions written for this benchmark over the real PDFs/DOCX in
  ../shared/eval/documents (expected answer text, or "should not be answered"). Test only.

Splits are by FAQ thread / by article (never by question), seeded, identical across XQuAD
languages: the calibrator is fitted on `fit`, every target is reported on `test` — questions
whose threads/articles it has never seen.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from app.answers.matching import contains, normalise
from tests.bench.datasets import eval_dir

__all__ = ["AnswerSet", "Doc", "Question", "all_sets", "contains", "normalise"]
Split = Literal["fit", "test"]
SEED = 12


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    path: Path | None = None  # a real file, extracted like an upload
    text: str | None = None  # or plain text (an XQuAD paragraph)


@dataclass(frozen=True)
class Question:
    text: str
    answerable: bool
    gold: tuple[str, ...]  # expected answer texts (any of), or the FAQ id
    split: Split
    set: str
    language: str
    group: str = ""  # the FAQ thread / article the split goes by (cross-validation folds too)


@dataclass
class AnswerSet:
    name: str
    language: str
    docs: list[Doc] = field(default_factory=list)
    faqs: dict[str, tuple[str, str]] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)


def _halves(ids: list[str], seed: int) -> tuple[set[str], set[str]]:
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return set(order[:half]), set(order[half:])


def stackfaq() -> AnswerSet:
    raw = json.loads((eval_dir() / "retrieval/stackfaq/stackExchange-FAQ.json").read_text())
    threads = raw["root"]["qapair"]
    ids = [f"t{i}" for i in range(len(threads))]
    indexed, _ = _halves(ids, SEED)
    fit, _ = _halves(ids, SEED + 1)
    out = AnswerSet("stackfaq", "en")
    for tid, qa in zip(ids, threads, strict=True):
        answers = qa["answer"] if isinstance(qa["answer"], list) else [qa["answer"]]
        if tid in indexed:
            out.faqs[tid] = (qa["question"], "\n".join(a for a in answers if a))
        rephr = qa.get("rephr") or []
        for q in rephr if isinstance(rephr, list) else [rephr]:
            if isinstance(q, str) and q.strip() and q != "*":
                out.questions.append(
                    Question(
                        q,
                        tid in indexed,
                        (tid,),
                        "fit" if tid in fit else "test",
                        "stackfaq",
                        "en",
                        tid,
                    )
                )
    return out


def xquad(lang: str) -> AnswerSet:
    raw = json.loads((eval_dir() / f"retrieval/xquad/xquad.{lang}.json").read_text())
    en = json.loads((eval_dir() / "retrieval/xquad/xquad.en.json").read_text())
    pids = [f"a{a}p{p}" for a, art in enumerate(raw["data"]) for p in range(len(art["paragraphs"]))]
    indexed, _ = _halves(pids, SEED)
    fit_articles, _ = _halves([f"a{a}" for a in range(len(raw["data"]))], SEED + 1)
    out = AnswerSet(f"xquad-{lang}", lang)
    for a, article in enumerate(raw["data"]):
        title = en["data"][a]["title"].replace("_", " ")  # titles exist only in English
        split: Split = "fit" if f"a{a}" in fit_articles else "test"
        for p, para in enumerate(article["paragraphs"]):
            pid = f"a{a}p{p}"
            if pid in indexed:
                out.docs.append(Doc(pid, title, text=para["context"].strip("\ufeff")))
            for qa in para["qas"]:
                gold = tuple(x["text"] for x in qa["answers"])
                out.questions.append(
                    Question(qa["question"], pid in indexed, gold, split, out.name, lang, f"a{a}")
                )
    return out


_DOCS = [
    ("fr", "pdf/federal-register-2020-17221.pdf"),
    ("redp", "pdf/redp5110_sampled.pdf"),
    ("duck", "docx/word_sample.docx"),
    ("handbook", "docx/handbook-872p.docx"),
]
# (question, expected answer texts) — written for this benchmark, never used for fitting
_ANSWERABLE = [
    ("What is the deadline for comments on the Boeing 737 MAX proposed AD?",
     ("September 21, 2020",)),
    ("How much does the AOA sensor system test cost per product?",
     ("$3,400",)),
    ("How many airplanes of U.S. registry are affected by the Boeing 737 MAX proposal?",
     ("73",)),
    ("What hourly labor rate is used in the cost estimates?",
     ("$85",)),
    ("What is the cost on U.S. operators of the stabilizer wiring change?",
     ("$766,865",)),
    ("What unsafe condition does the Pilatus airworthiness directive address?",
     ("spring pack",)),
    ("Which fax number can I send comments to?",
     ("202–493–2251", "202-493-2251")),
    ("Who is the contact for more information about the Boeing 737 MAX AD?",
     ("Ian Won",)),
    ("How many work-hours does revising the MEL take per operator?",
     ("90 work-hours",)),
    ("What is the estimated average cost per operator of the MEL changes?",
     ("$7,650",)),
    ("Which AD would the Boeing 737 MAX proposal supersede?",
     ("2018–23–51", "2018-23-51")),
    ("What is the docket number of the Pilatus proposed AD?",
     ("FAA–2020–0746", "FAA-2020-0746")),
    ("Which Pilatus airplane model is affected by the proposed AD?",
     ("PC–12/47E", "PC-12/47E")),
    ("What is the parts cost of the stabilizer wiring change?",
     ("$3,790",)),
    ("How many data breaches have occurred since 2005?",
     ("5000",)),
    ("What is the average cost of a lost record with sensitive information?",
     ("$145",)),
    ("Which function usage ID administers Row and Column Access Control?",
     ("QIBM_DB_SECADM",)),
    ("What is the data type of the FUNCTION_ID column?",
     ("VARCHAR(30)",)),
    ("What does the CLIENT_IPADDR global variable hold?",
     ("IP address of the current client",)),
    ("Which CL command changes function usage?",
     ("CHGFCNUSG",)),
    ("Which IBM i release added Row and Column Access Control?",
     ("7.2",)),
    ("What does the SYSTEM_USER special register contain?",
     ("initiated the connection",)),
    ("Which three things should a security policy address?",
     ("confidentiality, integrity, and availability",)),
    ("How many calories per portion do berries have?",
     ("150",)),
    ("Which grains can a duck eat?",
     ("Corn, Buckwheat, Barley",)),
    ("How long after the bar date may the trustee file a claim for a creditor?",
     ("30 days",)),
    ("Who determines the amount of the standing trustee's bond?",
     ("United States Trustee",)),
    ("Which IRS forms must the standing trustee issue and file?",
     ("1099",)),
    ("When must DSO holders get the statutory notice after the meeting of creditors?",
     ("three business days",)),
    ("What must a standing trustee pay before receiving compensation?",
     ("necessary expenses",)),
]  # fmt: skip
_UNANSWERABLE = [
    "What is the maximum takeoff weight of the Boeing 737 MAX?",
    "How many passengers can the Pilatus PC-12 carry?",
    "When was IBM founded?",
    "How much does an IBM DB2 licence cost?",
    "How many calories are in a slice of pizza?",
    "Can I bring my dog on the flight?",
    "What is your refund policy for airline tickets?",
    "How do I reset my online banking password?",
    "What time does the Seattle office open on Saturdays?",
    "Do ducks migrate south in winter?",
    "What is the capital of Australia?",
    "Who won the 2018 football World Cup?",
    "Can I pay with PayPal?",
    "Do you deliver to my address?",
    "What is the interest rate on a chapter 7 car loan?",
    "Which version of Windows does DB2 for i run on?",
    "How long is the warranty on the 737 MAX engines?",
    "What is the phone number of Airbus customer service?",
]


def documents() -> AnswerSet:
    out = AnswerSet("documents", "en")
    base = eval_dir() / "documents"
    for doc_id, rel in _DOCS:
        out.docs.append(Doc(doc_id, Path(rel).stem, path=base / rel))
    out.questions += [Question(q, True, g, "test", "documents", "en") for q, g in _ANSWERABLE]
    out.questions += [Question(q, False, (), "test", "documents", "en") for q in _UNANSWERABLE]
    return out


def all_sets(names: list[str] | None = None) -> list[AnswerSet]:
    makers = {
        "stackfaq": stackfaq,
        "xquad-en": lambda: xquad("en"),
        "xquad-es": lambda: xquad("es"),
        "xquad-hi": lambda: xquad("hi"),
        "xquad-ar": lambda: xquad("ar"),
        "documents": documents,
    }
    return [make() for name, make in makers.items() if not names or name in names]
