"""A chunk's reading-unit vectors as one stored blob (kb_chunks.unit_vectors, m0030).

Indexing embeds a new document's sentences so that the first question about it does not wait
for them (`Answerer.warm`); kept only in memory, that work was lost at every restart and never
reached the other nodes, and the first questions after a restart waited seconds again. The
blob holds the chunk's unit vectors in unit order as float16 (half the bytes; the cosines move
by ~1e-4, far below what separates two sentences), next to a digest of the embedder's name and
the units themselves: when either changes the blob is ignored, so a vector is never paired with
a sentence it was not made from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.answers.reader import UnitVectors
from app.answers.text import units


@dataclass(frozen=True, slots=True)
class StoredUnits:
    chunk_id: str
    blob: bytes
    digest: str


def digest(model: str, found: Sequence[str]) -> str:
    return hashlib.sha256("\x1e".join([model, *found]).encode()).hexdigest()


def pack(vectors: np.ndarray) -> bytes:
    return np.asarray(vectors, dtype=np.float16).tobytes()


def unpack(blob: bytes, count: int) -> np.ndarray | None:
    """The `count` vectors of a blob, or None when its size does not split into them."""
    flat = np.frombuffer(blob, dtype=np.float16)
    if count == 0 or flat.size == 0 or flat.size % count:
        return None
    return flat.reshape(count, -1).astype(np.float32)


def to_store(
    cache: UnitVectors, model: str, chunks: Iterable[tuple[str, str]]
) -> list[StoredUnits]:
    """Blobs for the chunks (id, text) whose every unit the cache holds (what `warm` embedded:
    a document past `WARM_UNITS` keeps its later chunks cold, as in memory)."""
    out = []
    for chunk_id, text in chunks:
        found = units(text)
        vectors = [v for v in cache.peek(found) if v is not None]
        if not found or len(vectors) < len(found):
            continue
        out.append(StoredUnits(chunk_id, pack(np.stack(vectors)), digest(model, found)))
    return out


def restore(
    cache: UnitVectors, model: str, text: str, blob: bytes | None, stored: str | None
) -> int:
    """Put a chunk's stored vectors into the cache when they were made by `model` from exactly
    these units; returns how many."""
    if blob is None or stored is None:
        return 0
    found = units(text)
    if stored != digest(model, found):
        return 0
    vectors = unpack(blob, len(found))
    if vectors is None:
        return 0
    cache.put(found, vectors)
    return len(found)
