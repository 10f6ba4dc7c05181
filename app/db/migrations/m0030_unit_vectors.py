"""The reader's sentence vectors kept with their chunk (issue 12: reply p95 ≤ 1 s).

Indexing embeds every reading unit of a new document (`Answerer.warm`) so the first customer
asking about it does not wait — but only into the process's memory: after a restart, or on
another node, each question embedded its 20–60 sentences again (cold p95 2.9–4.9 s here).
`kb_chunks.unit_vectors` keeps them (float16, one blob per chunk, in unit order) with
`unit_digest`, the hash of the embedder's name and the chunk's units: a blob whose digest no
longer matches (another embedder, a changed sentence splitter) is ignored, never misread.
"""

from __future__ import annotations

from app.db.migrations._sql import render


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    blob = "BLOB" if dialect == "sqlite" else "BYTEA"
    return [
        render(dialect, f"ALTER TABLE kb_chunks ADD COLUMN unit_vectors {blob}"),
        render(dialect, "ALTER TABLE kb_chunks ADD COLUMN unit_digest VARCHAR(64)"),
    ]
