from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.vectors import MemoryVectorStore, VectorStore, build_vector_store, collection_name


@dataclass
class S:
    vector_store: str
    data_dir: str = "."
    qdrant_url: str | None = None
    qdrant_path: str | None = None


def test_modes_build_their_adapters(tmp_path: Path) -> None:
    from app.vectors.lancedb_store import LanceVectorStore
    from app.vectors.qdrant_store import QdrantVectorStore

    assert isinstance(build_vector_store(S("memory")), MemoryVectorStore)
    lance = build_vector_store(S("lancedb", data_dir=str(tmp_path)))
    assert isinstance(lance, LanceVectorStore) and (tmp_path / "vectors").is_dir()
    qdrant = build_vector_store(S("qdrant", qdrant_path=str(tmp_path / "q")))
    assert isinstance(qdrant, QdrantVectorStore)
    assert all(isinstance(s, VectorStore) for s in (lance, qdrant))
    with pytest.raises(ValueError, match="unknown vector_store"):
        build_vector_store(S("faiss"))


def test_collection_name_is_seed_shaped_and_safe() -> None:
    assert collection_name("w1", "kb1") == "ws_w1_kb_kb1"
    assert collection_name("w/../x", "k b'") == "ws_w____x_kb_k_b_"
