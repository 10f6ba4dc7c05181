"""Flow runs (issue 14): list them, start one from the API (`POST /flows/{id}/trigger`), and
stop one — an agent in the inbox may stop the run of a conversation they work on, so stopping
is a conversations right (agents have it), while starting one is a flows right.
"""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.repos import flow_runs as repo
from app.db.repos.mapping import json_value
from app.db.tables import Conversation, Flow, FlowRun
from app.domain import Actor, Clock, Conflict, Invalid, NotFound, Page
from app.domain import flows as f
from app.flows.engine import FlowEngine, Start, record_of, run_of
from app.flows.runner import FlowRunner
from app.records import AuditTrail
from app.schemas.flows import TriggerBody
from app.services._rows import page_bounds


class FlowRunService:
    def __init__(
        self, engine: FlowEngine, runner: FlowRunner, audit: AuditTrail, clock: Clock
    ) -> None:
        self._engine = engine
        self._runner = runner
        self._audit = audit
        self._clock = clock

    async def _record(self, row: dict[str, Any], *, history: bool = False) -> f.FlowRun:
        run = run_of(row)
        graph = await self._engine.graph(run.version_id)
        lines = await repo.events(run.id) if history else None
        return record_of(run, row.get("flow_name"), graph, row["updated_at"], lines)

    async def _run_row(self, actor: Actor, run_id: str) -> dict[str, Any]:
        row = await repo.get(run_id)
        if row is None or row["workspace_id"] != actor.workspace_id:
            raise NotFound("flow run not found")
        return row

    @guarded(Resource.FLOWS, write=False)
    async def list(
        self,
        actor: Actor,
        flow_id: str | None = None,
        *,
        conversation_id: str | None = None,
        contact_id: str | None = None,
        status: f.RunStatus | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page[f.FlowRun]:
        """Runs, newest first: of one flow, and/or one conversation or contact, by status."""
        limit, offset = page_bounds(page, page_size)
        where: Any = FlowRun.workspace_id == actor.workspace_id  # piccolo: Where, then And
        if flow_id is not None:
            exists = await Flow.exists().where(
                (Flow.id == flow_id) & (Flow.workspace_id == actor.workspace_id)
            )
            if not exists:
                raise NotFound("flow not found")
            where &= FlowRun.flow_id == flow_id
        if conversation_id is not None:
            where &= FlowRun.conversation_id == conversation_id
        if contact_id is not None:
            where &= FlowRun.contact_id == contact_id
        if status is not None:
            where &= FlowRun.status == status
        total = await FlowRun.count().where(where)
        rows = (
            await FlowRun.select(*FlowRun.all_columns(), FlowRun.flow_id.name.as_alias("flow_name"))
            .where(where)
            .order_by(FlowRun.started_at, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        items = []
        for row in rows:
            for key in ("vars", "state"):
                row[key] = json_value(row[key], {})
            items.append(await self._record(row))
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    @guarded(Resource.FLOWS, write=False)
    async def get(self, actor: Actor, run_id: str) -> f.FlowRun:
        """One run with its history (the newest 500 lines)."""
        return await self._record(await self._run_row(actor, run_id), history=True)

    @guarded(Resource.CONVERSATIONS, write=False)
    async def active_in(self, actor: Actor, conversation_id: str) -> f.FlowRun | None:
        """The run a conversation's contact is in now (the inbox's "in flow X at node Y")."""
        conv = (
            await Conversation.select(Conversation.contact_id)
            .where(
                (Conversation.id == conversation_id)
                & (Conversation.workspace_id == actor.workspace_id)
            )
            .first()
        )
        if conv is None:
            raise NotFound("conversation not found")
        row = await repo.active_for_contact(conv["contact_id"])
        return await self._record(row) if row is not None else None

    @guarded(Resource.FLOWS, write=True)
    async def trigger(self, actor: Actor, flow_id: str, body: TriggerBody) -> f.FlowRun:
        """Start an active flow for a contact (by id or phone) with variables; 409 when the
        contact is in another run (the running flow keeps them), blocked, or taken over."""
        ws = actor.workspace_id or ""
        flows = {r["id"]: r for r in await repo.active_flows(ws)}
        flow = flows.get(flow_id)
        if flow is None:
            known = await Flow.exists().where((Flow.id == flow_id) & (Flow.workspace_id == ws))
            raise Conflict("the flow is not active") if known else NotFound("flow not found")
        if (body.contact_id is None) == (body.phone is None):
            raise Invalid("give either contactId or phone")
        contact_id = body.contact_id
        if contact_id is None:
            digits = sum(ch.isdigit() for ch in body.phone or "")
            if not 7 <= digits <= 15:
                raise Invalid(
                    "phone: an international number of 7 to 15 digits, e.g. +4917612345678"
                )
            contact_id = await repo.contact_by_phone(ws, body.phone or "", self._clock.now())
            if contact_id is None:
                raise Invalid("the workspace has no WhatsApp number to write from")
        elif await repo.scope(ws, contact_id) is None:
            raise NotFound("contact not found")
        run = await self._runner.start(ws, Start.of(flow), contact_id, dict(body.vars))
        await self._audit.record(
            actor, "flow.trigger", "flow", flow_id, {"runId": run.id, "contactId": contact_id}
        )
        return run

    @guarded(Resource.CONVERSATIONS, write=True)
    async def stop(self, actor: Actor, run_id: str) -> f.FlowRun:
        """End a run now; the contact leaves the flow (the bot answers them as usual)."""
        row = await self._run_row(actor, run_id)
        who = actor.user_id or actor.api_key_id or "someone"
        run = await self._runner.stop(row, f"stopped by {who}")
        await self._audit.record(
            actor, "flow.run.stop", "flow_run", run_id, {"flowId": run.flow_id}
        )
        return run
