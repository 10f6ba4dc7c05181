"""Flows run (issue 14): saved versions, durable runs, per-node counters, stop words.

- `flow_versions`: each saved graph of a flow; a run pins the version it started on.
- `flows.version`: the current version's number; `flows.last_fired_at`: the last cron slot a
  SCHEDULED flow fired for (claimed with a guarded UPDATE, so a slot fires once).
- `flow_runs`: one contact's way through a flow — current node, variables, what it waits for
  (a reply until `wake_at`, or a wake-up at `wake_at`), and `step`, the count of committed
  steps a step must still see to commit. `active_contact_id` (UNIQUE, NULL once the run
  ended) keeps a contact in at most one active run: the database enforces it, on SQLite and
  Postgres alike, whatever races the app loses.
- `flow_run_events`: a run's history, appended line by line (never rewritten).
- `flow_node_stats`: how many times runs entered each node; `flow_stats.total_dropped`: runs
  that were stopped or failed (entered = completed + dropped + active).
- `workspace_settings.flow_stop_words`: the workspace's own words that end a run.
Flows saved before this migration get their graph as version 1.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_ALTER = """
ALTER TABLE flows ADD COLUMN version INTEGER NOT NULL DEFAULT 1
ALTER TABLE flows ADD COLUMN last_fired_at {ts}
ALTER TABLE flow_stats ADD COLUMN total_dropped INTEGER NOT NULL DEFAULT 0
ALTER TABLE workspace_settings ADD COLUMN flow_stop_words {json} NOT NULL DEFAULT '[]'
"""

_TABLES = """
flow_versions (
    id {pk}, flow_id {id} NOT NULL {cascade:flows}, version INTEGER NOT NULL,
    nodes {json} NOT NULL DEFAULT '[]', edges {json} NOT NULL DEFAULT '[]',
    created_at {ts} NOT NULL DEFAULT {now}, UNIQUE (flow_id, version))
flow_node_stats (
    id {pk}, flow_id {id} NOT NULL {cascade:flows}, node_id VARCHAR(64) NOT NULL,
    visits INTEGER NOT NULL DEFAULT 0, UNIQUE (flow_id, node_id))
flow_runs (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    flow_id {id} NOT NULL {cascade:flows}, version_id {id} {set_null:flow_versions},
    version INTEGER NOT NULL, contact_id {id} NOT NULL {cascade:contacts},
    conversation_id {id} NOT NULL {cascade:conversations},
    active_contact_id VARCHAR(36) UNIQUE, status VARCHAR(12) NOT NULL DEFAULT 'ACTIVE',
    current_node VARCHAR(64), waiting_for VARCHAR(12), wake_at {ts},
    vars {json} NOT NULL DEFAULT '{{}}', state {json} NOT NULL DEFAULT '{{}}',
    step INTEGER NOT NULL DEFAULT 0, end_reason TEXT,
    started_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now},
    ended_at {ts})
flow_run_events (
    id {pk}, run_id {id} NOT NULL {cascade:flow_runs}, at {ts} NOT NULL,
    node_id VARCHAR(64), event VARCHAR(20) NOT NULL, detail TEXT)
"""

_INDEXES = """
flow_runs (flow_id, started_at)
flow_runs (contact_id)
flow_runs (conversation_id)
flow_runs (wake_at)
flow_run_events (run_id, at)
"""

_BACKFILL = (
    "INSERT INTO flow_versions (id, flow_id, version, nodes, edges, created_at) "
    "SELECT 'v1-' || id, id, 1, nodes, edges, updated_at FROM flows"
)


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    alter = [render(dialect, line) for line in _ALTER.strip().splitlines()]
    return [*alter, *ddl(dialect, _TABLES, _INDEXES), _BACKFILL]
