"""One contract, three stores: LanceDB (tmp dir), Qdrant (local mode), memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.vectors import MemoryVectorStore, Payload, Point, VectorFilter, VectorStore


@pytest.fixture(params=["lancedb", "qdrant", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    if request.param == "lancedb":
        from app.vectors.lancedb_store import LanceVectorStore

        yield LanceVectorStore(tmp_path / "lance")
    elif request.param == "qdrant":
        from app.vectors.qdrant_store import QdrantVectorStore

        yield QdrantVectorStore(path=str(tmp_path / "qdrant"))
    else:
        yield MemoryVectorStore()


def _p(
    pid: str,
    vec: list[float],
    text: str,
    ws: str = "w1",
    kb: str = "kb1",
    doc: str | None = "d1",
    faq: str | None = None,
) -> Point:
    return Point(
        pid,
        vec,
        Payload(
            workspace_id=ws,
            kb_id=kb,
            content=text,
            document_id=doc,
            faq_id=faq,
            chunk_id=pid,
            metadata={"page": 3},
        ),
    )


SEED = [
    _p("a", [1, 0, 0, 0], "refund policy: refunds within 30 days"),
    _p("b", [0.9, 0.1, 0, 0], "shipping takes five business days"),
    _p("c", [0, 1, 0, 0], "opening hours are nine to five", doc="d2"),
    _p("f", [0, 0, 1, 0], "Q: Do you ship abroad? A: Yes, worldwide.", doc=None, faq="q1"),
    _p("x", [1, 0, 0, 0], "refund policy of another tenant", ws="w2"),
    _p("y", [1, 0, 0, 0], "refund policy of another kb", kb="kb2"),
]
KB1 = VectorFilter("w1", "kb1")


def test_dense_search_ranks_by_cosine_and_keeps_payload(store: VectorStore) -> None:
    store.upsert(SEED)
    hits = store.search([1, 0, 0, 0], 3, KB1)
    assert [h.id for h in hits][:2] == ["a", "b"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].score >= hits[1].score >= hits[2].score
    top = hits[0].payload
    assert (top.workspace_id, top.kb_id, top.document_id, top.chunk_id) == ("w1", "kb1", "d1", "a")
    assert top.metadata == {"page": 3}
    assert "refunds within 30 days" in top.content


def test_search_never_crosses_workspace_or_kb(store: VectorStore) -> None:
    store.upsert(SEED)
    ids = {h.id for h in store.search([1, 0, 0, 0], 10, KB1)}
    assert ids == {"a", "b", "c", "f"}
    assert {h.id for h in store.search([1, 0, 0, 0], 10, VectorFilter("w2", "kb1"))} == {"x"}
    assert {h.id for h in store.search([1, 0, 0, 0], 10, VectorFilter("w1", "kb2"))} == {"y"}
    assert store.search([1, 0, 0, 0], 10, VectorFilter("w3", "kb1")) == []


def test_filter_by_document_and_faq(store: VectorStore) -> None:
    store.upsert(SEED)
    assert {h.id for h in store.search([1, 0, 0, 0], 10, VectorFilter("w1", "kb1", "d2"))} == {"c"}
    faq = VectorFilter("w1", "kb1", faq_id="q1")
    assert [h.payload.faq_id for h in store.search([0, 0, 1, 0], 10, faq)] == ["q1"]


def test_upsert_replaces_same_id(store: VectorStore) -> None:
    store.upsert(SEED)
    store.upsert([_p("a", [0, 0, 0, 1], "refund policy changed: 60 days")])
    assert store.count(KB1) == 4
    hit = store.search([0, 0, 0, 1], 1, KB1)[0]
    assert (hit.id, hit.payload.content) == ("a", "refund policy changed: 60 days")


def test_keyword_search_finds_words_within_filter(store: VectorStore) -> None:
    assert store.supports_keyword
    store.upsert(SEED)
    hits = store.keyword_search("REFUND policy?", 5, KB1)
    assert hits and hits[0].id == "a"
    assert {h.id for h in hits} <= {"a", "b", "c", "f"}
    assert store.keyword_search("abroad", 5, KB1)[0].id == "f"
    assert store.keyword_search("zebra", 5, KB1) == []


def test_keyword_search_handles_hindi_and_arabic(store: VectorStore) -> None:
    store.upsert(
        [
            _p("h", [1, 0, 0, 0], "दिल्ली भारत की राजधानी है"),
            _p("r", [0, 1, 0, 0], "القاهرة هي عاصمة مصر"),
            _p("e", [0, 0, 1, 0], "Paris is the capital of France"),
        ]
    )
    assert store.keyword_search("राजधानी क्या है", 3, KB1)[0].id == "h"
    assert store.keyword_search("عاصمة", 3, KB1)[0].id == "r"


def test_delete_by_document_kb_and_workspace(store: VectorStore) -> None:
    store.upsert(SEED)
    assert store.delete(VectorFilter("w1", "kb1", "d1")) == 2
    assert store.count(KB1) == 2
    assert store.keyword_search("refund", 5, KB1) == []
    assert store.count(VectorFilter("w2")) == 1  # other tenants untouched
    assert store.delete(VectorFilter("w1")) == 3  # whole workspace: kb1 rest + kb2
    assert store.count(VectorFilter("w1")) == 0
    assert store.count(VectorFilter("w2", "kb1")) == 1


def test_search_requires_kb_and_empty_kb_is_empty(store: VectorStore) -> None:
    with pytest.raises(ValueError, match="kb_id"):
        store.search([1, 0, 0, 0], 5, VectorFilter("w1"))
    assert store.search([1, 0, 0, 0], 5, KB1) == []
    assert store.keyword_search("refund", 5, KB1) == []
    assert store.count(KB1) == 0
