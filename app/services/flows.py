"""Flows (seed §6 "Flows Endpoints", issue 14): the flow documents, their versions, activation
and counters. Runs — listing, starting from the API, stopping — are `FlowRunService`'s.

Saving the graph (`replace`, PUT) makes a new version; runs keep the version they started on,
and versions no active run needs are dropped. An active flow stays valid: activating it, and
saving it while active, check the whole graph (`app/flows/validate.py`, the SSRF guard on its
URLs included) and answer 422 with every problem.
"""

from __future__ import annotations

import builtins
from typing import Any

import msgspec

from app.auth import Resource, guarded
from app.db.repos.mapping import json_value
from app.db.tables import (
    Flow,
    FlowNodeStats,
    FlowRun,
    FlowStats,
    FlowVersion,
    KnowledgeBase,
    Label,
    WorkspaceUser,
)
from app.domain import Actor, Clock, FlowTrigger, Invalid, NotFound, Page, new_id
from app.domain import flows as f
from app.flows import starters
from app.flows.graph import Graph
from app.flows.validate import References, UrlCheck, validate
from app.records import AuditTrail
from app.schemas.flows import FlowBody, FlowCreateBody, FlowPatchBody
from app.services._rows import page_bounds


def _stored(items: list[Any]) -> list[dict[str, Any]]:
    """Nodes/edges as the builder sends them (camelCase), without null fields."""
    return [{k: v for k, v in item.items() if v is not None} for item in msgspec.to_builtins(items)]


def _flow(row: dict[str, Any]) -> f.Flow:
    return f.Flow(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        is_active=bool(row["is_active"]),
        trigger_type=row["trigger_type"],
        trigger_config=json_value(row["trigger_config"], {}),
        nodes=msgspec.convert(json_value(row["nodes"], []), list[f.FlowNode], strict=False),
        edges=msgspec.convert(json_value(row["edges"], []), list[f.FlowEdge], strict=False),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class FlowService:
    def __init__(self, clock: Clock, audit: AuditTrail, url_check: UrlCheck | None) -> None:
        self._clock = clock
        self._audit = audit
        self._url_check = url_check  # the SSRF guard's check of a URL at save time

    async def _row(self, actor: Actor, flow_id: str) -> dict[str, Any]:
        row = (
            await Flow.select()
            .where((Flow.id == flow_id) & (Flow.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("flow not found")
        return row

    @guarded(Resource.FLOWS, write=False)
    async def list(self, actor: Actor, page: int = 1, page_size: int = 50) -> Page[f.FlowSummary]:
        limit, offset = page_bounds(page, page_size)
        ws = Flow.workspace_id == actor.workspace_id
        total = await Flow.count().where(ws)
        rows = (
            await Flow.select()
            .where(ws)
            .order_by(Flow.created_at, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        ids = [r["id"] for r in rows] or [""]
        stats = {
            s["flow_id"]: s for s in await FlowStats.select().where(FlowStats.flow_id.is_in(ids))
        }
        active = await FlowRun.raw(
            "SELECT flow_id, COUNT(*) AS n FROM flow_runs WHERE status = 'ACTIVE' "
            "AND flow_id IN (SELECT id FROM flows WHERE workspace_id = {}) GROUP BY flow_id",
            actor.workspace_id,
        )
        running = {r["flow_id"]: r["n"] for r in active}
        items = []
        for row in rows:
            s = stats.get(row["id"], {})
            items.append(
                f.FlowSummary(
                    id=row["id"],
                    name=row["name"],
                    description=row["description"],
                    is_active=bool(row["is_active"]),
                    trigger_type=row["trigger_type"],
                    trigger_config=json_value(row["trigger_config"], {}),
                    version=row["version"],
                    node_count=len(json_value(row["nodes"], [])),
                    entered=s.get("total_entered", 0),
                    completed=s.get("total_completed", 0),
                    dropped=s.get("total_dropped", 0),
                    active=running.get(row["id"], 0),
                    last_run_at=s.get("last_run_at"),
                    created_at=row["created_at"],
                    updated_at=row["updated_at"],
                )
            )
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    @guarded(Resource.FLOWS, write=False)
    async def get(self, actor: Actor, flow_id: str) -> f.Flow:
        return _flow(await self._row(actor, flow_id))

    @guarded(Resource.FLOWS, write=False)
    async def templates(self, actor: Actor) -> builtins.list[f.FlowTemplate]:
        return starters.starters()

    async def _problems(
        self, actor: Actor, kind: FlowTrigger, config: dict[str, Any], nodes: Any, edges: Any
    ) -> builtins.list[f.Problem]:
        ws = actor.workspace_id
        refs = References(
            label_ids={
                r["id"] for r in await Label.select(Label.id).where(Label.workspace_id == ws)
            },
            knowledge_base_ids={
                r["id"]
                for r in await KnowledgeBase.select(KnowledgeBase.id).where(
                    KnowledgeBase.workspace_id == ws
                )
            },
            user_ids={
                r["user_id"]
                for r in await WorkspaceUser.select(WorkspaceUser.user_id).where(
                    WorkspaceUser.workspace_id == ws
                )
            },
        )
        graph = Graph.parse(nodes, edges)
        return await validate(graph, kind, config, refs, self._url_check)

    async def _ensure_valid(
        self, actor: Actor, kind: FlowTrigger, config: dict[str, Any], nodes: Any, edges: Any
    ) -> None:
        problems = await self._problems(actor, kind, config, nodes, edges)
        if problems:
            summary = "; ".join(p.message for p in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise Invalid(
                f"the flow cannot run: {summary}{more}",
                extra={"problems": msgspec.to_builtins(problems)},
            )

    @guarded(Resource.FLOWS, write=False)
    async def validate(self, actor: Actor, body: FlowBody) -> f.Validation:
        """Every problem of a document, without saving it (the builder's live check)."""
        problems = await self._problems(
            actor,
            body.trigger_type,
            body.trigger_config,
            _stored(body.nodes),
            _stored(body.edges),
        )
        return f.Validation(valid=not problems, problems=problems)

    @guarded(Resource.FLOWS, write=True)
    async def create(self, actor: Actor, body: FlowCreateBody) -> f.Flow:
        doc: dict[str, Any] = {}
        if body.template is not None:
            starter = starters.starter(body.template)
            if starter is None:
                keys = ", ".join(t.key for t in starters.starters())
                raise NotFound(f"no template {body.template!r} (there are: {keys})")
            doc = {
                "name": starter.name,
                "description": starter.description,
                "trigger_type": starter.trigger_type,
                "trigger_config": starter.trigger_config,
                "nodes": _stored(starter.nodes),
                "edges": _stored(starter.edges),
            }
        given = {
            "name": body.name,
            "description": body.description,
            "trigger_type": body.trigger_type,
            "trigger_config": body.trigger_config,
            "nodes": _stored(body.nodes) if body.nodes is not None else None,
            "edges": _stored(body.edges) if body.edges is not None else None,
        }
        doc.update({k: v for k, v in given.items() if v is not None})
        if not doc.get("name") or not doc.get("trigger_type"):
            raise Invalid("a flow needs a name and a triggerType (or a template)")
        kind = FlowTrigger(doc["trigger_type"])
        config, nodes, edges = (
            doc.get("trigger_config") or {},
            doc.get("nodes") or [],
            doc.get("edges") or [],
        )
        if body.is_active:
            await self._ensure_valid(actor, kind, config, nodes, edges)
        now = self._clock.now()
        flow_id = new_id()
        async with Flow._meta.db.transaction():
            await Flow.insert(
                Flow(
                    id=flow_id,
                    workspace_id=actor.workspace_id,
                    name=doc["name"],
                    description=doc.get("description"),
                    is_active=body.is_active,
                    trigger_type=kind,
                    trigger_config=config,
                    nodes=nodes,
                    edges=edges,
                    version=1,
                    last_fired_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            await FlowVersion.insert(
                FlowVersion(flow_id=flow_id, version=1, nodes=nodes, edges=edges, created_at=now)
            )
            await FlowStats.insert(FlowStats(flow_id=flow_id))
            await self._audit.record(
                actor,
                "flow.create",
                "flow",
                flow_id,
                {"name": doc["name"], "template": body.template},
            )
        return await self.get(actor, flow_id)

    @guarded(Resource.FLOWS, write=True)
    async def replace(self, actor: Actor, flow_id: str, body: FlowBody) -> f.Flow:
        """Save the whole document as the flow's next version."""
        row = await self._row(actor, flow_id)
        nodes, edges = _stored(body.nodes), _stored(body.edges)
        if row["is_active"]:
            await self._ensure_valid(actor, body.trigger_type, body.trigger_config, nodes, edges)
        now = self._clock.now()
        async with Flow._meta.db.transaction():
            version = (
                await Flow.update(
                    {
                        Flow.name: body.name,
                        Flow.description: body.description,
                        Flow.trigger_type: body.trigger_type,
                        Flow.trigger_config: body.trigger_config,
                        Flow.nodes: nodes,
                        Flow.edges: edges,
                        Flow.version: Flow.version + 1,
                        Flow.updated_at: now,
                    }
                )
                .where(Flow.id == flow_id)
                .returning(Flow.version)
            )[0]["version"]
            await FlowVersion.insert(
                FlowVersion(
                    flow_id=flow_id, version=version, nodes=nodes, edges=edges, created_at=now
                )
            )
            await _prune_versions(flow_id, version)
            await self._audit.record(actor, "flow.update", "flow", flow_id, {"version": version})
        return await self.get(actor, flow_id)

    @guarded(Resource.FLOWS, write=True)
    async def update(self, actor: Actor, flow_id: str, body: FlowPatchBody) -> f.Flow:
        """Name, description, trigger; `isActive` activates (checked) or deactivates."""
        row = await self._row(actor, flow_id)
        changes: dict[Any, Any] = {}
        for field, column in (
            ("name", Flow.name),
            ("description", Flow.description),
            ("trigger_type", Flow.trigger_type),
            ("trigger_config", Flow.trigger_config),
        ):
            value = getattr(body, field)
            if value is not None:
                changes[column] = value
        activate = body.is_active is True and not row["is_active"]
        if body.is_active is not None:
            changes[Flow.is_active] = body.is_active
        if activate or (row["is_active"] and body.is_active is not False and changes):
            kind = body.trigger_type or FlowTrigger(row["trigger_type"])
            config = (
                body.trigger_config
                if body.trigger_config is not None
                else json_value(row["trigger_config"], {})
            )
            await self._ensure_valid(
                actor, kind, config, json_value(row["nodes"], []), json_value(row["edges"], [])
            )
        if activate:
            changes[Flow.last_fired_at] = self._clock.now()  # a schedule fires from now on
        if changes:
            changes[Flow.updated_at] = self._clock.now()
            await Flow.update(changes).where(Flow.id == flow_id)
            fields = sorted(str(c._meta.name) for c in changes)
            await self._audit.record(actor, "flow.update", "flow", flow_id, {"fields": fields})
        return await self.get(actor, flow_id)

    @guarded(Resource.FLOWS, write=True)
    async def activate(self, actor: Actor, flow_id: str) -> f.Flow:
        """Check the whole graph (422 with every problem), then let it start runs."""
        return await self.update(actor, flow_id, FlowPatchBody(is_active=True))

    @guarded(Resource.FLOWS, write=True)
    async def deactivate(self, actor: Actor, flow_id: str) -> f.Flow:
        """No new runs start; runs under way finish on their version."""
        return await self.update(actor, flow_id, FlowPatchBody(is_active=False))

    @guarded(Resource.FLOWS, write=True)
    async def delete(self, actor: Actor, flow_id: str) -> None:
        """The flow, its versions, runs (contacts in them leave it) and counters."""
        await self._row(actor, flow_id)
        await Flow.delete().where(Flow.id == flow_id)
        await self._audit.record(actor, "flow.delete", "flow", flow_id)

    @guarded(Resource.FLOWS, write=False)
    async def stats(self, actor: Actor, flow_id: str) -> f.FlowStats:
        """Entered, completed, dropped and active runs, visits and waiting runs per node."""
        await self._row(actor, flow_id)
        s = await FlowStats.select().where(FlowStats.flow_id == flow_id).first() or {}
        visits = await FlowNodeStats.select().where(FlowNodeStats.flow_id == flow_id)
        waiting = await FlowRun.raw(
            "SELECT current_node, COUNT(*) AS n FROM flow_runs WHERE flow_id = {} "
            "AND status = 'ACTIVE' GROUP BY current_node",
            flow_id,
        )
        at_node = {r["current_node"]: r["n"] for r in waiting}
        nodes = {v["node_id"]: v["visits"] for v in visits}
        counts = [
            f.NodeCount(node_id=n, visits=nodes.get(n, 0), waiting=at_node.get(n, 0))
            for n in sorted(set(nodes) | {k for k in at_node if k})
        ]
        return f.FlowStats(
            flow_id=flow_id,
            entered=s.get("total_entered", 0),
            completed=s.get("total_completed", 0),
            dropped=s.get("total_dropped", 0),
            active=sum(at_node.values()),
            last_run_at=s.get("last_run_at"),
            nodes=counts,
        )


async def _prune_versions(flow_id: str, current: int) -> None:
    """Drop versions older than `current` that no active run stands on."""
    await FlowVersion.raw(
        "DELETE FROM flow_versions WHERE flow_id = {} AND version < {} AND NOT EXISTS "
        "(SELECT 1 FROM flow_runs r WHERE r.version_id = flow_versions.id AND r.status = 'ACTIVE')",
        flow_id,
        current,
    )
