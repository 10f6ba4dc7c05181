from __future__ import annotations

from app.ai.knowledge_search import rank, terms

FAQS = [
    {"id": "f1", "question": "What are your opening hours?", "answer": "9 to 5 on weekdays."},
    {"id": "f2", "question": "How much is shipping?", "answer": "Free above 50 €."},
]
CHUNKS = [{"id": "c1", "content": "Returns are accepted within 30 days with the receipt."}]


def test_best_faq_first_with_crude_stemming() -> None:
    hits = rank(terms("When do you open? opening times"), FAQS, CHUNKS, 5, 0.0)
    assert hits[0].id == "f1" and hits[0].kind == "faq" and hits[0].answer == "9 to 5 on weekdays."
    assert terms("Opening shipped boxes") == {"open", "shipp", "box"}


def test_exact_question_scores_one_and_threshold_filters() -> None:
    assert rank(terms("How much is shipping?"), FAQS, CHUNKS, 5, 0.0)[0].score == 1.0
    assert rank(terms("typewriter repair"), FAQS, CHUNKS, 5, 0.2) == []


def test_chunks_rank_below_an_equal_faq() -> None:
    hits = rank(terms("returns receipt"), FAQS, CHUNKS, 5, 0.0)
    assert [h.id for h in hits] == ["c1"] and hits[0].score < 1.0
