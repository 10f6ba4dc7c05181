"""Several app nodes on one Postgres (issue 18 part A): nodes, session leases, spilled events.

- `nodes`: one row per app node (`AIMY_NODE_ID`), its last heartbeat. A node is live while its
  heartbeat is younger than the lease timeout; the live count sets each node's fair share of
  the WhatsApp sessions.
- `session_leases`: which node runs a session (`node_id`, '' when free), until when
  (`expires_at`, pushed on by the holder's heartbeat), and the fencing `token`, raised by
  every claim: a send checks the token it was given in the transaction that claims the outbox
  row, so a node that lost the lease sends nothing. The row dies with its session.
- `event_spill`: an event too large for a NOTIFY payload (8,000 bytes) is stored here and only
  its id is notified; listeners fetch it, and rows older than a minute are pruned.
- `job_runs`: when a periodic job last ran in the cluster, and where (`app/cluster/once.py`):
  a node that wins a job's tick skips it when another node ran it within the period.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl

_TABLES = """
nodes (
    id VARCHAR(128) NOT NULL PRIMARY KEY, started_at {ts} NOT NULL DEFAULT {now},
    heartbeat_at {ts} NOT NULL DEFAULT {now})
session_leases (
    id {pk}, session_id {id} NOT NULL UNIQUE {cascade:whatsapp_sessions},
    node_id VARCHAR(128) NOT NULL DEFAULT '', token INTEGER NOT NULL DEFAULT 0,
    heartbeat_at {ts}, expires_at {ts} NOT NULL DEFAULT {now})
event_spill (
    id {pk}, payload TEXT NOT NULL, created_at {ts} NOT NULL DEFAULT {now})
job_runs (
    id VARCHAR(64) NOT NULL PRIMARY KEY, ran_at {ts} NOT NULL DEFAULT {now},
    node_id VARCHAR(128) NOT NULL DEFAULT '')
"""
_INDEXES = """
session_leases (node_id)
event_spill (created_at)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return ddl(dialect, _TABLES, _INDEXES)
