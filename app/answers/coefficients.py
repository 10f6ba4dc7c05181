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
SEND_FLOOR = {"faq": 0.89, "passage": 0.99}
MODELS: Models = {
    ("faq", "e5"): Logistic.of(
        -10.2938,
        {
            "question_rel": 20.0745,
            "question_gap": 41.132,
            "cov_question": 2.6682,
            "back_question": 3.4228,
            "rank": -1.3712,
            "qtype": -0.7647,
            "foreign": 2.0514,
            "numbers": 4.5781,
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
        -6.4699,
        {
            "unit_rel": 24.3748,
            "unit_gap": 6.8629,
            "passage_rel": -12.8823,
            "passage_z": 0.4049,
            "cov_answer": 7.9887,
            "cov_passage": -3.9288,
            "cov_kb": -1.5197,
            "keyword": 1.3798,
            "rank": -0.3074,
            "figure": 0.4641,
            "terms": 0.0048,
            "idf_answer": -1.1365,
            "idf_passage": 3.4042,
        },
    ),
    ("passage", "lexical"): Logistic.of(
        -6.6002,
        {
            "cov_answer": 7.0206,
            "cov_passage": -2.5134,
            "cov_kb": -0.9972,
            "keyword": 2.0922,
            "rank": -0.998,
            "figure": 0.6237,
            "terms": 0.1069,
            "idf_answer": 0.4839,
            "idf_passage": 3.2138,
            "akind": 0.6517,
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
