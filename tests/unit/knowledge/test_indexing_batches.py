"""Indexing hands a parallel embedder whole rounds: no worker idles at the end of a call."""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.embeddings import FakeEmbeddings
from app.rag import index_document
from app.rag.indexing import PROGRESS_STEPS
from app.vectors import MemoryVectorStore


class TwoWorkers(FakeEmbeddings):
    """The fake embedder, saying it embeds two batches at once (ONNX Runtime on two cores)."""

    parallel = 2

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return super().embed_documents(texts)


def test_embed_calls_are_whole_rounds_for_the_engines_workers() -> None:
    emb = TwoWorkers()
    text = " ".join(f"word{i}" for i in range(5000))
    records = index_document(
        text,
        workspace_id="ws",
        kb_id="kb",
        document_id="d",
        embeddings=emb,
        store=MemoryVectorStore(),
        chunk_tokens=100,
    )
    assert math.ceil(len(records) / PROGRESS_STEPS) % 2 == 1  # an odd step before rounding
    assert all(n % 2 == 0 for n in emb.calls[:-1]) and sum(emb.calls) == len(records)
    assert len(emb.calls) >= PROGRESS_STEPS * 0.8  # the progress bar still moves often
