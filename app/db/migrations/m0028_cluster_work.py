"""Work done once and limits shared across nodes (issue 18, part B).

- Indexing jobs claimed with an owner and an expiry: a document went PENDING → PROCESSING
  after a plain read of its status, and every start put *all* PROCESSING rows back to PENDING
  — fine for one process, but two nodes could both take a document, and a node starting up
  re-queued what another node was indexing. Now the claim is one conditional UPDATE that
  records who holds it (`claimed_by`, the node) and until when (`lease_until`, renewed while
  indexing); a start takes back only its own rows and expired ones, so a dead node's
  documents are indexed again by another once their lease runs out.
- `rate_limits`: the API's rate-limit counters on Postgres (one row per limited key, a fixed
  window), counted by one upsert, so a limit holds across every node instead of per process.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_SQL = """
ALTER TABLE kb_documents ADD COLUMN claimed_by VARCHAR(128)
ALTER TABLE kb_documents ADD COLUMN lease_until {ts}
"""
_TABLES = """
rate_limits (
    id {pk}, window_start {bigint} NOT NULL DEFAULT 0, hits INTEGER NOT NULL DEFAULT 0)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    bigint = "INTEGER" if dialect == "sqlite" else "BIGINT"  # piccolo's BigInt per engine
    altered = [render(dialect, line) for line in _SQL.strip().splitlines()]
    return [*altered, *ddl(dialect, _TABLES.replace("{bigint}", bigint), "")]
