"""Fitted by `python -m tests.bench.fit_answers --write` — do not edit by hand: re-run
the script (it reports the held-out figures it was checked on). Each model is
P(right) = 1 / (1 + exp(-(bias + Σ weight × signal))); the signals are named in
app/answers/signals.py ("a*b" is a product of two).
"""

from __future__ import annotations

from app.answers.calibration import Logistic, Models
from app.answers.reader import ReaderWeights

READER = ReaderWeights(passage=0.5, terms=0.05, companion=0.02, date=0.04)
MODELS: Models = {
    ("faq", "e5"): Logistic.of(
        -5.9867,
        {
            "question_rel": 21.1536,
            "question_gap": 38.2407,
            "cov_question": 2.6297,
            "back_question": 3.0698,
            "rank": -1.3247,
        },
    ),
    ("faq", "lexical"): Logistic.of(
        -4.7548,
        {
            "cov_question": 5.9394,
            "back_question": 3.4823,
            "rank": -2.4273,
            "terms": 0.1857,
        },
    ),
    ("passage", "e5"): Logistic.of(
        -6.8964,
        {
            "unit_rel": 25.1398,
            "unit_gap": 7.1846,
            "passage_rel": -13.8966,
            "passage_z": 0.4093,
            "cov_answer": 7.6019,
            "cov_passage": -3.4144,
            "cov_kb": -1.4652,
            "keyword": 1.3383,
            "rank": -0.3,
            "figure": 0.8421,
            "terms": 0.0102,
            "idf_answer": -0.9193,
            "idf_passage": 3.0087,
        },
    ),
    ("passage", "lexical"): Logistic.of(
        -6.4997,
        {
            "cov_answer": 7.2011,
            "cov_passage": -2.4345,
            "cov_kb": -0.9873,
            "keyword": 2.0682,
            "rank": -1.0035,
            "figure": 0.8837,
            "terms": 0.1079,
            "idf_answer": 0.346,
            "idf_passage": 3.085,
        },
    ),
    ("faq_ans", "e5"): Logistic.of(
        -6.2463,
        {
            "question_rel": 26.781,
            "question_gap": 13.0408,
            "cov_question": 2.7675,
            "back_question": 3.9223,
            "rank": 0.0,
        },
    ),
    ("faq_ans", "lexical"): Logistic.of(
        -4.9992,
        {
            "cov_question": 6.8064,
            "back_question": 3.7424,
            "rank": 0.0,
            "terms": 0.2292,
        },
    ),
    ("passage_ans", "e5"): Logistic.of(
        -6.917,
        {
            "unit_rel": -4.1671,
            "unit_gap": 43.4626,
            "passage_rel": 13.9242,
            "passage_z": 0.0996,
            "cov_answer": 5.19,
            "cov_passage": -0.1644,
            "cov_kb": -1.2352,
            "keyword": 0.4492,
            "rank": -0.0923,
            "figure": 1.9525,
            "terms": -0.0348,
            "idf_answer": -2.6715,
            "idf_passage": 5.263,
        },
    ),
    ("passage_ans", "lexical"): Logistic.of(
        -5.7937,
        {
            "cov_answer": 4.7651,
            "cov_passage": -0.6126,
            "cov_kb": -1.9042,
            "keyword": 1.4957,
            "rank": -0.7656,
            "figure": 1.485,
            "terms": 0.0798,
            "idf_answer": -0.3136,
            "idf_passage": 6.4401,
        },
    ),
}
