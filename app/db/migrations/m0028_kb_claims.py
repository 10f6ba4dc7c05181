"""Indexing jobs claimed with an owner and an expiry (issue 18, "work done once").

A document went PENDING → PROCESSING after a plain read of its status, and every start put
*all* PROCESSING rows back to PENDING: fine for one process, but two nodes could both take a
document, and a node starting up re-queued what another node was indexing. Now the claim is
one conditional UPDATE that records who holds it (`claimed_by`, the node) and until when
(`lease_until`, renewed while indexing); a start takes back only its own rows and expired
ones, so a dead node's documents are indexed again by another once their lease runs out.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE kb_documents ADD COLUMN claimed_by VARCHAR(128)
ALTER TABLE kb_documents ADD COLUMN lease_until {ts}
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
