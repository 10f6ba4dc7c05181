"""Fitted by `python -m tests.bench.fit_answers` — do not edit by hand; re-run the script."""

from __future__ import annotations

from app.answers.calibration import Logistic
from app.answers.reader import ReaderWeights

READER = ReaderWeights()
MODELS = {
    ("faq", "e5"): Logistic(("question_rel",), (10.0,), -1.0),
    ("faq", "lexical"): Logistic(("cov_question",), (6.0,), -3.0),
    ("passage", "e5"): Logistic(("unit_rel",), (10.0,), -1.0),
    ("passage", "lexical"): Logistic(("cov_answer",), (6.0,), -3.0),
    ("faq_ans", "e5"): Logistic(("question_rel",), (10.0,), -1.0),
    ("faq_ans", "lexical"): Logistic(("cov_question",), (6.0,), -3.0),
    ("passage_ans", "e5"): Logistic(("unit_rel",), (10.0,), -1.0),
    ("passage_ans", "lexical"): Logistic(("cov_answer",), (6.0,), -3.0),
}
