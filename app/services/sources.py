"""Where a bot answer came from, in words: the ids in `kb_chunks_used` become "Pricing.pdf ·
p.3" or "FAQ: Do you ship abroad?", so an agent can check a wrong answer against its source.

A message stores chunk ids (a document passage, by row id or vector-point id) or FAQ ids; one
lookup per table resolves a whole thread's ids at once. Only this workspace's knowledge is
read, so an id from elsewhere reads like a deleted source.
"""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.repos.mapping import json_value
from app.db.tables import KBChunk, KBFaq, KnowledgeBase
from app.domain import Actor

DELETED = "(deleted source)"


def _chunk_label(row: dict[str, Any]) -> str:
    meta = json_value(row.get("metadata"), {}) or {}
    parts = [row["document_id.name"]]
    if meta.get("page"):
        parts.append(f"p.{meta['page']}")
    if meta.get("section"):
        parts.append(str(meta["section"])[:60])
    return " · ".join(parts)


class SourceService:
    @guarded(Resource.CONVERSATIONS, write=False)
    async def labels(self, actor: Actor, ids: list[str]) -> dict[str, str]:
        """A label for each of `ids` (DELETED for one that no longer resolves here)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        found: dict[str, str] = {}
        kb = KBChunk.document_id.knowledge_base_id
        in_ws = kb.workspace_id == actor.workspace_id  # type: ignore[union-attr]  # piccolo FK hop
        chunks = await KBChunk.select(
            KBChunk.id,
            KBChunk.qdrant_id,
            KBChunk.metadata,
            KBChunk.document_id.name,
        ).where((KBChunk.id.is_in(wanted) | KBChunk.qdrant_id.is_in(wanted)) & in_ws)
        for row in chunks:
            label = _chunk_label(row)
            found[row["id"]] = found[row["qdrant_id"]] = label
        faqs = await KBFaq.select(KBFaq.id, KBFaq.qdrant_id, KBFaq.question).where(
            (KBFaq.id.is_in(wanted) | KBFaq.qdrant_id.is_in(wanted))
            & KBFaq.knowledge_base_id.is_in(
                KnowledgeBase.select(KnowledgeBase.id).where(
                    KnowledgeBase.workspace_id == actor.workspace_id
                )
            )
        )
        for row in faqs:
            label = f"FAQ: {' '.join(row['question'].split())[:80]}"
            found[row["id"]] = label
            if row["qdrant_id"]:
                found[row["qdrant_id"]] = label
        return {i: found.get(i, DELETED) for i in wanted}


def sources_line(ids: list[str], labels: dict[str, str]) -> str:
    """One tooltip line for a bubble: each source once, in the order the answer used them."""
    seen: list[str] = []
    for i in ids:
        label = labels.get(i, DELETED)
        if label not in seen:
            seen.append(label)
    return "Sources: " + ", ".join(seen)
