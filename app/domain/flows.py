"""Flows (seed §5 "Flows", §11): what the flow service returns, camelCase on the wire.

The flow document is the builder's own format (issue 14): `nodes[{id, type, position{x, y},
data}]` and `edges[{id, source, target, sourceHandle}]`. Branches are edges; `sourceHandle`
names the branch ("default" or absent, "timeout", "failure", or a condition entry's `id`).
A run is one contact's way through one version of a flow (`flow_runs`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from app.domain.enums import FlowTrigger
from app.domain.records import Model


class RunStatus(StrEnum):
    ACTIVE = "ACTIVE"  # running, or waiting for a reply / a wake-up
    COMPLETED = "COMPLETED"  # reached an end (an `end` node, an `assign`, or a last node)
    STOPPED = "STOPPED"  # a stop word, an agent, a takeover, a block, or no valid answer
    FAILED = "FAILED"  # a webhook failed without a failure branch, a loop, a broken version


class Waiting(StrEnum):
    """What an ACTIVE run waits for (None: it is being stepped right now)."""

    REPLY = "REPLY"  # a question's answer (or an option picked), until `wakeAt` if it times out
    MESSAGE = "MESSAGE"  # an `ai` node woken without a message: the contact's next one
    WAKE = "WAKE"  # a delay, until `wakeAt`


class Position(Model, kw_only=True):
    x: float = 0.0
    y: float = 0.0


class FlowNode(Model, kw_only=True):
    id: str
    type: str
    position: Position = msgspec.field(default_factory=Position)
    data: dict[str, Any] = {}


class FlowEdge(Model, kw_only=True):
    id: str
    source: str
    target: str
    source_handle: str | None = None
    target_handle: str | None = None
    label: str | None = None


class NodeCount(Model, kw_only=True):
    node_id: str
    visits: int  # how many times runs entered the node
    waiting: int  # active runs at the node now


class FlowStats(Model, kw_only=True):
    """`GET /flows/{id}/stats`: counters kept in the same transactions as the runs."""

    flow_id: str
    entered: int
    completed: int
    dropped: int  # stopped or failed
    active: int
    last_run_at: datetime | None = None
    nodes: list[NodeCount] = []


class Flow(Model, kw_only=True):
    id: str
    name: str
    description: str | None = None
    is_active: bool
    trigger_type: FlowTrigger
    trigger_config: dict[str, Any] = {}
    nodes: list[FlowNode] = []
    edges: list[FlowEdge] = []
    version: int
    created_at: datetime
    updated_at: datetime


class FlowSummary(Model, kw_only=True):
    """A row of `GET /flows`: the flow without its graph, with its counters."""

    id: str
    name: str
    description: str | None = None
    is_active: bool
    trigger_type: FlowTrigger
    trigger_config: dict[str, Any] = {}
    version: int
    node_count: int
    entered: int = 0
    completed: int = 0
    dropped: int = 0
    active: int = 0
    last_run_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Problem(Model, kw_only=True):
    """One thing that keeps a flow from being activated; `nodeId`/`edgeId` say where."""

    code: str
    message: str
    node_id: str | None = None
    edge_id: str | None = None


class Validation(Model, kw_only=True):
    valid: bool
    problems: list[Problem] = []


class HistoryEntry(Model, kw_only=True):
    at: datetime
    node_id: str | None = None
    event: str  # entered, sent, waiting, answered, invalid, timeout, webhook, missing, ended …
    detail: str | None = None


class FlowRun(Model, kw_only=True):
    id: str
    flow_id: str
    flow_name: str | None = None
    version: int
    contact_id: str
    conversation_id: str
    status: RunStatus
    current_node_id: str | None = None
    current_node_type: str | None = None
    waiting_for: Waiting | None = None
    wake_at: datetime | None = None
    vars: dict[str, Any] = {}
    history: list[HistoryEntry] = []
    end_reason: str | None = None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None


class FlowTemplate(Model, kw_only=True):
    """A starter the builder lists; `POST /flows {"template": key}` creates a flow from it."""

    key: str
    name: str
    description: str
    trigger_type: FlowTrigger
    trigger_config: dict[str, Any] = {}
    nodes: list[FlowNode] = []
    edges: list[FlowEdge] = []
