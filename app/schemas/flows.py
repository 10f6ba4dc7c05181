"""Bodies of `/flows`: the flow document (the builder's own format) and a run's trigger.

Nodes `{id, type, position{x, y}, data}` and edges `{id, source, target, sourceHandle}`;
an edge may also keep the builder's `targetHandle` and `label`. `data` is the node's seed §11
config (free-form here; activation checks it). Sizes are bounded so a body stays a document.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from app.domain import FlowTrigger
from app.schemas.base import Body

NodeId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
MAX_NODES = 500
MAX_EDGES = 2000


class PositionBody(Body, kw_only=True):
    x: float = 0.0
    y: float = 0.0


class NodeBody(Body, kw_only=True):
    id: NodeId
    type: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    position: PositionBody = msgspec.field(default_factory=PositionBody)
    data: dict[str, Any] = {}


class EdgeBody(Body, kw_only=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    source: NodeId
    target: NodeId
    source_handle: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    target_handle: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    label: Annotated[str, msgspec.Meta(max_length=255)] | None = None


Nodes = Annotated[list[NodeBody], msgspec.Meta(max_length=MAX_NODES)]
Edges = Annotated[list[EdgeBody], msgspec.Meta(max_length=MAX_EDGES)]


class FlowBody(Body, kw_only=True):
    """`PUT /flows/{id}` (save: the whole document) and `POST /flows/validate`."""

    name: Name
    description: Description | None = None
    trigger_type: FlowTrigger
    trigger_config: dict[str, Any] = {}
    nodes: Nodes = []
    edges: Edges = []


class FlowCreateBody(Body, kw_only=True):
    """`POST /flows`: a document, or `{"template": key}` (a starter; any field given replaces
    the starter's). `isActive: true` activates at once (the graph must then be valid)."""

    template: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    name: Name | None = None
    description: Description | None = None
    trigger_type: FlowTrigger | None = None
    trigger_config: dict[str, Any] | None = None
    nodes: Nodes | None = None
    edges: Edges | None = None
    is_active: bool = False


class FlowPatchBody(Body, kw_only=True):
    """`PATCH /flows/{id}`: metadata only (the graph is saved with PUT); `isActive` as the
    activate/deactivate endpoints."""

    name: Name | None = None
    description: Description | None = None
    trigger_type: FlowTrigger | None = None
    trigger_config: dict[str, Any] | None = None
    is_active: bool | None = None


class TriggerBody(Body, kw_only=True):
    """`POST /flows/{id}/trigger`: start the flow for a contact (by id, or by phone number —
    a new contact is created on the workspace's first number), with variables."""

    contact_id: Annotated[str, msgspec.Meta(min_length=1, max_length=36)] | None = None
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 ()\-]{6,24}$")] | None = None
    vars: Annotated[
        dict[Annotated[str, msgspec.Meta(max_length=64)], Any], msgspec.Meta(max_length=50)
    ] = {}
