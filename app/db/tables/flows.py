"""Flow builder graphs, their saved versions and counters (seed §5 "Flows", issue 14).

The runs (`flow_runs`) are in `flow_runs.py`: they point at contacts and conversations, whose
tables point back at flows (a message's `flow_id`).
"""

from __future__ import annotations

from piccolo.columns import Integer, Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_list,
    json_object,
    optional_timestamp,
    owned_by,
    primary_key,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.domain.enums import FlowTrigger


class Flow(Table, tablename="flows"):
    """A flow graph: `nodes`/`edges` as the editor saves them, trigger config as JSON.

    `version` is the current graph's number in `flow_versions` (m0020); `last_fired_at` is the
    last cron slot a SCHEDULED flow fired for (claimed with a guarded UPDATE: once per slot).
    """

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    name = Varchar(length=255)
    description = Text(null=True, default=None)
    is_active = flag(True)
    trigger_type = Varchar(length=20, choices=FlowTrigger)
    trigger_config = json_object()
    nodes = json_list()
    edges = json_list()
    created_at = created_at()
    updated_at = updated_at()
    version = Integer(default=1)
    last_fired_at = optional_timestamp()


class FlowVersion(Table, tablename="flow_versions"):
    """The graph of one saved version of a flow: runs pin the version they started on, so
    editing an active flow never changes the way of a customer already in it."""

    id = primary_key()
    flow_id = owned_by(Flow)
    version = Integer()
    nodes = json_list()
    edges = json_list()
    created_at = created_at()
    unique_flow_version = Unique([flow_id, version])


class FlowNodeStats(Table, tablename="flow_node_stats"):
    """How many times runs entered each node of a flow (counted in the step's transaction)."""

    id = primary_key()
    flow_id = owned_by(Flow)
    node_id = Varchar(length=64)
    visits = Integer(default=0)
    unique_flow_node = Unique([flow_id, node_id])


class FlowStats(Table, tablename="flow_stats"):
    """Counters of one flow (one row per flow)."""

    id = primary_key()
    flow_id = owned_by(Flow, unique=True)
    total_entered = Integer(default=0)
    total_completed = Integer(default=0)
    last_run_at = optional_timestamp()
    total_dropped = Integer(default=0)  # m0020: runs stopped or failed
