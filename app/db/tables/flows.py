"""Flow builder graphs and their counters (seed §5 "Flows")."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Varchar
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
    """A flow graph: `nodes`/`edges` as the editor saves them, trigger config as JSON."""

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


class FlowStats(Table, tablename="flow_stats"):
    """Counters of one flow (one row per flow)."""

    id = primary_key()
    flow_id = owned_by(Flow, unique=True)
    total_entered = Integer(default=0)
    total_completed = Integer(default=0)
    last_run_at = optional_timestamp()
