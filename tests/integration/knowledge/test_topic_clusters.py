"""Top topics group paraphrases (issue 17): the real e5 model (shipped in its PyPI package, no
download), on three topics asked three ways each — what the hashing embedder of the API tests
cannot show."""

from __future__ import annotations

from app.embeddings.registry import EmbeddingSettings, build_embeddings
from app.services.analytics import TOPIC_THRESHOLD, _cluster, _embed

QUESTIONS = [
    ("How much does delivery cost?", True),
    ("What does shipping cost to Spain?", False),
    ("What are the delivery fees?", True),
    ("Are you open on Sunday?", False),
    ("Is the shop open on Sundays?", False),
    ("What are your opening hours on weekends?", True),
    ("Can I get a refund for my order?", False),
    ("I want my money back for a broken item", False),
    ("How do I return a product?", False),
]


def test_e5_groups_paraphrases_into_their_topics() -> None:
    model = build_embeddings(EmbeddingSettings(embedding_mode="e5"))
    assert "e5" in model.name
    topics = _cluster(QUESTIONS, _embed(model, [q for q, _ in QUESTIONS]), TOPIC_THRESHOLD["e5"])
    groups = sorted(sorted(t.examples) for t in topics)
    assert [len(g) for g in groups] == [3, 3, 3], groups
    by_label = {t.label: t for t in topics}
    refunds = next(t for t in topics if "refund" in " ".join(t.examples))
    assert refunds.unanswered == 3 and refunds.label in by_label
    assert {q for q, _ in QUESTIONS[6:]} == set(refunds.examples)
