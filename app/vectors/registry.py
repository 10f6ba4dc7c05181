"""Mode string → vector store adapter, imported lazily; an ImportError names the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.vectors.base import VectorStore


class MissingVectorExtra(ImportError):
    def __init__(self, mode: str, package: str) -> None:
        super().__init__(f"vector_store {mode!r} needs {package!r}: pip install {package}")


def build_vector_store(settings: Any) -> VectorStore:
    """Keys read: `vector_store` ("lancedb" | "qdrant" | "memory"), `data_dir` (lancedb path is
    `<data_dir>/vectors`, or `lancedb_path`), `qdrant_url`, `qdrant_api_key`, `qdrant_path`."""
    mode = str(getattr(settings, "vector_store", "lancedb")).lower()
    match mode:
        case "memory":
            from app.vectors.memory import MemoryVectorStore

            return MemoryVectorStore()
        case "lancedb":
            try:
                from app.vectors.lancedb_store import LanceVectorStore
            except ImportError as e:
                raise MissingVectorExtra(mode, "lancedb") from e
            path = getattr(settings, "lancedb_path", None) or (
                Path(getattr(settings, "data_dir", ".")) / "vectors"
            )
            return LanceVectorStore(path)
        case "qdrant":
            try:
                from app.vectors.qdrant_store import QdrantVectorStore

                return QdrantVectorStore(
                    url=getattr(settings, "qdrant_url", None),
                    path=getattr(settings, "qdrant_path", None),
                    api_key=getattr(settings, "qdrant_api_key", None),
                )
            except ImportError as e:
                raise MissingVectorExtra(mode, "qdrant-client") from e
        case _:
            raise ValueError(f"unknown vector_store {mode!r}")
