"""`/api/v1/flows` (seed §6 Flows Endpoints, issue 14): documents, activation, counters, runs.

The flow document is the builder's format: `{"name", "description", "triggerType",
"triggerConfig", "nodes": [{"id", "type", "position": {"x", "y"}, "data": {…}}], "edges":
[{"id", "source", "target", "sourceHandle"}]}`; see the README's Flows section for the node
types, their `data`, the branches (`sourceHandle`) and the trigger configs.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain import Page
from app.domain import flows as f
from app.schemas.flows import FlowBody, FlowCreateBody, FlowPatchBody, TriggerBody


class FlowProblems(msgspec.Struct, rename="camel", kw_only=True):
    """The 422 of activation (and of saving an active flow): problem JSON with every problem
    of the graph, each pinned to its node or edge."""

    type: str = "about:blank"
    status: int = 422
    title: str = "Unprocessable Content"
    detail: str
    problems: list[f.Problem]


INVALID = {
    422: ResponseSpec(
        FlowProblems,
        description="The flow cannot run: `problems` lists every problem",
        media_type="application/problem+json",
        generate_examples=False,
    )
}
FLOWS = {"resource": Resource.FLOWS}
READ_FLOWS = {"resource": Resource.FLOWS, "write": False}
CONVERSATIONS = {"resource": Resource.CONVERSATIONS}
PageNo = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
PageSize = Annotated[int, QueryParameter(name="pageSize", ge=1, le=200)]


class FlowController(Controller):
    path = "/v1/flows"
    tags = ["flows"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=FLOWS)
    async def list_flows(
        self, services: ServicesDep, actor: ActorDep, page: PageNo = 1, page_size: PageSize = 50
    ) -> Page[f.FlowSummary]:
        """Flows, newest first, with their counters (entered, completed, dropped, active)."""
        return await services.flows.list(actor, page, page_size)

    @post("/", opt=FLOWS, responses=INVALID)
    async def create_flow(
        self, data: JSONBody[FlowCreateBody], services: ServicesDep, actor: ActorDep
    ) -> f.Flow:
        """Create a flow from a document, or from a starter (`{"template": "welcome-menu"}`;
        fields given replace the starter's). New flows are inactive unless `isActive: true`
        (then the graph is checked first: 422 with `problems`)."""
        return await services.flows.create(actor, data)

    @get("/templates", opt=FLOWS)
    async def list_templates(self, services: ServicesDep, actor: ActorDep) -> list[f.FlowTemplate]:
        """The starter flows: welcome menu, lead capture → webhook, order-status lookup."""
        return await services.flows.templates(actor)

    @post("/validate", opt=READ_FLOWS, status_code=HTTP_200_OK)
    async def validate_flow(
        self, data: JSONBody[FlowBody], services: ServicesDep, actor: ActorDep
    ) -> f.Validation:
        """Check a document without saving it: every problem activation would report, each
        with its `nodeId` or `edgeId`."""
        return await services.flows.validate(actor, data)

    @get("/runs", opt=FLOWS)
    async def list_all_runs(
        self,
        services: ServicesDep,
        actor: ActorDep,
        conversation_id: Annotated[
            str | None, QueryParameter(name="conversationId", max_length=36)
        ] = None,
        contact_id: Annotated[str | None, QueryParameter(name="contactId", max_length=36)] = None,
        status: Annotated[f.RunStatus | None, QueryParameter()] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[f.FlowRun]:
        """Runs of every flow, newest first; filter by conversation, contact or status
        (`?conversationId=…&status=ACTIVE` is the run a conversation is in)."""
        return await services.flow_runs.list(
            actor,
            conversation_id=conversation_id,
            contact_id=contact_id,
            status=status,
            page=page,
            page_size=page_size,
        )

    @get("/runs/{run_id:str}", opt=FLOWS)
    async def get_run(
        self, run_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.FlowRun:
        """One run with its variables and history (what each node did, missing variables)."""
        return await services.flow_runs.get(actor, run_id)

    @post("/runs/{run_id:str}/stop", opt=CONVERSATIONS, status_code=HTTP_200_OK)
    async def stop_run(
        self, run_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.FlowRun:
        """End a run now (agents may: it is their conversation); the contact leaves the flow."""
        return await services.flow_runs.stop(actor, run_id)

    @get("/{flow_id:str}", opt=FLOWS)
    async def get_flow(
        self, flow_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.Flow:
        """The flow with its nodes and edges (the current version)."""
        return await services.flows.get(actor, flow_id)

    @put("/{flow_id:str}", opt=FLOWS, responses=INVALID)
    async def save_flow(
        self,
        flow_id: FromPath[str],
        data: JSONBody[FlowBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> f.Flow:
        """Save the whole document as the next version. Runs under way keep the version they
        started on. An active flow must stay valid (422 with `problems`)."""
        return await services.flows.replace(actor, flow_id, data)

    @patch("/{flow_id:str}", opt=FLOWS, responses=INVALID)
    async def update_flow(
        self,
        flow_id: FromPath[str],
        data: JSONBody[FlowPatchBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> f.Flow:
        """Change the name, description or trigger; `isActive` activates or deactivates."""
        return await services.flows.update(actor, flow_id, data)

    @delete("/{flow_id:str}", opt=FLOWS, status_code=HTTP_204_NO_CONTENT)
    async def delete_flow(
        self, flow_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Delete the flow with its versions, runs and counters."""
        await services.flows.delete(actor, flow_id)

    @post("/{flow_id:str}/activate", opt=FLOWS, status_code=HTTP_200_OK, responses=INVALID)
    async def activate_flow(
        self, flow_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.Flow:
        """Check the graph and let the flow start runs. 422 lists every problem (`problems`:
        no trigger, unreachable nodes, a question without a variable, a condition without a
        default branch, a dangling edge, unknown variables, an invalid regex, a URL the SSRF
        guard refuses …)."""
        return await services.flows.activate(actor, flow_id)

    @post("/{flow_id:str}/deactivate", opt=FLOWS, status_code=HTTP_200_OK)
    async def deactivate_flow(
        self, flow_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.Flow:
        """No new runs start; runs under way finish on their version."""
        return await services.flows.deactivate(actor, flow_id)

    @get("/{flow_id:str}/stats", opt=FLOWS)
    async def flow_stats(
        self, flow_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> f.FlowStats:
        """Entered, completed, dropped (stopped or failed) and active runs, the last run, and
        per node: how often runs entered it and how many wait there now."""
        return await services.flows.stats(actor, flow_id)

    @post("/{flow_id:str}/trigger", opt=FLOWS, status_code=HTTP_202_ACCEPTED)
    async def trigger_flow(
        self,
        flow_id: FromPath[str],
        data: JSONBody[TriggerBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> f.FlowRun:
        """Start the (active) flow for a contact — `{"contactId"}` or `{"phone"}` — with
        `vars` for `{{vars.<name>}}`. 409 when the contact is in another run, blocked or
        handled by a human."""
        return await services.flow_runs.trigger(actor, flow_id, data)

    @get("/{flow_id:str}/runs", opt=FLOWS)
    async def list_runs(
        self,
        flow_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        status: Annotated[f.RunStatus | None, QueryParameter()] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[f.FlowRun]:
        """The flow's runs, newest first (their node, what they wait for, variables, history)."""
        return await services.flow_runs.list(
            actor, flow_id, status=status, page=page, page_size=page_size
        )
