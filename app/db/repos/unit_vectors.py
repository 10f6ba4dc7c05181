"""The reader's stored sentence vectors (kb_chunks.unit_vectors, m0030): written after a
document's sentences are embedded, read back for the chunks a question retrieved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.db.tables import KBChunk
from app.db.tx import transaction

WRITE_BATCH = 200  # chunks per transaction: a long document never holds the writer for long


async def save(rows: Sequence[tuple[str, bytes, str]]) -> None:
    """Store (chunk id, blob, digest) rows; a chunk deleted meanwhile is simply not updated."""
    for i in range(0, len(rows), WRITE_BATCH):
        async with transaction():
            for chunk_id, blob, digest in rows[i : i + WRITE_BATCH]:
                await KBChunk.update(
                    {KBChunk.unit_vectors: blob, KBChunk.unit_digest: digest}
                ).where(KBChunk.id == chunk_id)


async def load(workspace_id: str, chunk_ids: Sequence[str]) -> list[dict[str, Any]]:
    """id, unit_vectors, unit_digest of the workspace's chunks among `chunk_ids` that have them."""
    if not chunk_ids:
        return []
    kb = KBChunk.document_id.knowledge_base_id
    return await KBChunk.select(KBChunk.id, KBChunk.unit_vectors, KBChunk.unit_digest).where(
        KBChunk.id.is_in(list(chunk_ids))
        & (kb.workspace_id == workspace_id)  # type: ignore[union-attr]  # FK hop
        & KBChunk.unit_digest.is_not_null()
    )
