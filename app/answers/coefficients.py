"""Fitted by `python -m tests.bench.fit_answers --write` — do not edit by hand: re-run
the script (it reports the held-out figures it was checked on). Each model is
P(right) = 1 / (1 + exp(-(bias + Σ weight × signal))); the signals are named in
app/answers/signals.py ("a*b" is a product of two).
"""

from __future__ import annotations

from app.answers.calibration import Logistic, Models
from app.answers.reader import ReaderWeights

READER = ReaderWeights(passage=0.5, terms=0.05, companion=0.02, date=0.04)
# the no-model mode sends nothing below these, per route: the lowest threshold at
# which the route's answers were right >= 0.95 of the time in every set
# of the fit split — out-of-fold probabilities, folds by thread/article, the 10th
# percentile of a bootstrap over threads/articles; both embedder families
SEND_FLOOR = {"faq": 0.88, "passage": 0.98}
MODELS: Models = {
    ("faq", "e5"): Logistic.of(
        -5.9856,
        {
            "question_rel": 20.9143,
            "question_gap": 38.3122,
            "cov_question": 2.4719,
            "back_question": 3.3138,
            "rank": -1.3256,
        },
    ),
    ("faq", "lexical"): Logistic.of(
        -4.8008,
        {
            "cov_question": 5.904,
            "back_question": 3.5779,
            "rank": -2.4241,
            "terms": 0.19,
        },
    ),
    ("passage", "e5"): Logistic.of(
        -7.0876,
        {
            "unit_rel": 31.0335,
            "unit_gap": 4.7814,
            "passage_rel": -19.7322,
            "passage_z": 0.5663,
            "cov_answer": 6.9043,
            "cov_passage": -0.8122,
            "cov_kb": -0.4836,
            "keyword": 1.4507,
            "rank": -0.276,
            "figure": 0.4483,
            "terms": -0.0511,
            "latin": -0.7914,
        },
    ),
    ("passage", "lexical"): Logistic.of(
        -6.5015,
        {
            "cov_answer": 7.1476,
            "cov_passage": -2.4998,
            "cov_kb": -0.9645,
            "keyword": 2.0854,
            "rank": -1.0085,
            "figure": 0.9,
            "terms": 0.101,
            "idf_answer": 0.3717,
            "idf_passage": 3.193,
        },
    ),
    ("faq_ans", "e5"): Logistic.of(
        -11.148,
        {
            "question_rel": 25.9126,
            "question_gap": 14.9884,
            "cov_question": 2.7428,
            "back_question": 4.4657,
            "rank": 0.0,
            "qtype": -0.6425,
            "foreign": 2.6232,
            "numbers": 5.0357,
        },
    ),
    ("faq_ans", "lexical"): Logistic.of(
        -10.7533,
        {
            "cov_question": 7.1881,
            "back_question": 3.9419,
            "rank": 0.0,
            "terms": 0.2632,
            "qtype": -0.4206,
            "foreign": 3.0222,
            "numbers": 5.4443,
        },
    ),
    ("passage_ans", "e5"): Logistic.of(
        -6.4014,
        {
            "unit_rel": -4.6035,
            "unit_gap": 42.3756,
            "passage_rel": 14.2897,
            "passage_z": 0.0946,
            "cov_answer": 5.3408,
            "cov_passage": -0.5955,
            "cov_kb": -1.2801,
            "keyword": 0.4488,
            "rank": -0.1212,
            "figure": 1.529,
            "terms": -0.0322,
            "idf_answer": -2.223,
            "idf_passage": 5.2076,
        },
    ),
    ("passage_ans", "lexical"): Logistic.of(
        -5.7294,
        {
            "cov_answer": 4.6926,
            "cov_passage": -0.6589,
            "cov_kb": -1.9601,
            "keyword": 1.5233,
            "rank": -0.7633,
            "figure": 1.4928,
            "terms": 0.0756,
            "idf_answer": -0.251,
            "idf_passage": 6.4653,
        },
    ),
}
