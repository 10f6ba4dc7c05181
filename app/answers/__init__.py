"""Trustworthy answers (issue 12): retrieval evidence → a reader or a model → a calibrated
probability that the reply is right → send, or hand over to a person.

- `evidence`: every retrieval candidate of a question, its vector and its baseline.
- `reader`, `text`: the no-model reader (sentences and whole table rows, the source cited).
- `signals`, `calibration`, `coefficients`: named offline signals and the fitted logistic
  calibrator (`python -m tests.bench.fit_answers --write` refits it).
- `answerer`: the FAQ and passage routes, the more probable one wins; P(answerable) for models.
- `combine`: a model's own judgement capped by retrieval and by unsupported figures.
- `smalltalk`: greetings and thanks answered without the knowledge base.
"""

from app.answers.answerer import Answer, Answerer
from app.answers.evidence import Evidence

__all__ = ["Answer", "Answerer", "Evidence"]
