"""Fitted by `python -m tests.bench.fit_answers --write` — do not edit by hand: re-run
the script (it reports the held-out figures it was checked on). Each model is
P(right) = 1 / (1 + exp(-(bias + Σ weight × signal))); the signals are named in
app/answers/signals.py ("a*b" is a product of two).
"""

from __future__ import annotations

from app.answers.calibration import Logistic
from app.answers.reader import ReaderWeights

READER = ReaderWeights(passage=0.5, terms=0.05, companion=0.02)
MODELS = {
    ("faq", "e5"): Logistic.of(
        -11.9073,
        {
            "question_rel": 37.905,
            "question_gap": 32.7805,
            "faq_rel": -1.7978,
            "faq_z": 1.1959,
            "cov_question": 6.618,
            "cov_faq": -1.502,
            "cov_kb": 1.0104,
            "keyword": 0.8255,
            "rank": -0.8478,
            "terms": 0.3076,
            "sym_rel": -12.6751,
            "sym_gap": -19.2039,
        },
    ),
    ("faq", "lexical"): Logistic.of(
        -5.0499,
        {
            "cov_question": 5.4338,
            "cov_faq": -2.0894,
            "cov_kb": 0.3916,
            "keyword": 0.8135,
            "rank": -2.3092,
            "terms": 0.1661,
            "idf_question": 0.8688,
            "idf_faq": 0.9524,
            "back_question": 3.5545,
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
        -12.0066,
        {
            "question_rel": 34.0734,
            "question_gap": 20.513,
            "faq_rel": -0.8653,
            "faq_z": 0.7491,
            "cov_question": 7.2225,
            "cov_faq": -0.5267,
            "cov_kb": 0.7787,
            "keyword": 0.9172,
            "rank": 0.0,
            "terms": 0.3616,
            "sym_rel": -2.0792,
            "sym_gap": -26.6818,
        },
    ),
    ("faq_ans", "lexical"): Logistic.of(
        -6.106,
        {
            "cov_question": 6.7696,
            "cov_faq": -1.6428,
            "cov_kb": 0.7877,
            "keyword": 0.9385,
            "rank": 0.0,
            "terms": 0.2146,
            "idf_question": -0.3768,
            "idf_faq": 1.6078,
            "back_question": 3.6371,
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
