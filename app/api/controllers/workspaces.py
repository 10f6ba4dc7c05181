"""`/api/v1/workspaces`: workspaces, members, invitations (seed §6 Workspace endpoints)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain import records as m
from app.schemas.workspaces import (
    AcceptInviteBody,
    InviteBody,
    RoleBody,
    WorkspaceCreateBody,
    WorkspaceUpdateBody,
)

ACCOUNT = {"account": True}
WORKSPACE = {"resource": Resource.WORKSPACE}
TEAM = {"resource": Resource.TEAM}


class WorkspaceController(Controller):
    path = "/v1/workspaces"
    tags = ["workspaces"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=ACCOUNT)
    async def list_workspaces(self, services: ServicesDep, actor: ActorDep) -> list[m.Workspace]:
        """Workspaces the signed-in user belongs to, with their role in each."""
        return await services.workspaces.list_for_user(actor.user_id or "")

    @post("/", opt=ACCOUNT)
    async def create_workspace(
        self,
        data: JSONBody[WorkspaceCreateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Workspace:
        """Create a workspace; the caller becomes its OWNER."""
        return await services.workspaces.create(actor, data.name)

    @post("/invites/accept", opt=ACCOUNT)
    async def accept_invite(
        self,
        data: JSONBody[AcceptInviteBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Workspace:
        """Join the workspace an invitation (sent to the caller's email) is for."""
        return await services.invites.accept(actor, data.token)

    @get("/{workspace_id:str}", opt=WORKSPACE)
    async def get_workspace(
        self, workspace_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> m.Workspace:
        return await services.workspaces.get(actor, workspace_id)

    @patch("/{workspace_id:str}", opt=WORKSPACE)
    async def update_workspace(
        self,
        workspace_id: FromPath[str],
        data: JSONBody[WorkspaceUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Workspace:
        """Rename the workspace or change its logo (OWNER, ADMIN)."""
        return await services.workspaces.update(
            actor, workspace_id, name=data.name, logo_url=data.logo_url
        )

    @get("/{workspace_id:str}/users", opt=TEAM)
    async def list_members(
        self, workspace_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[m.Member]:
        return await services.workspaces.members(actor, workspace_id)

    @post("/{workspace_id:str}/invite", opt=TEAM)
    async def invite(
        self,
        workspace_id: FromPath[str],
        data: JSONBody[InviteBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Invite:
        """Email an invitation; the response carries the link once, to share by hand too."""
        return await services.invites.invite(actor, workspace_id, data.email, data.role)

    @get("/{workspace_id:str}/invites", opt=TEAM)
    async def list_invites(
        self, workspace_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[m.Invite]:
        """Pending, unexpired invitations."""
        return await services.invites.pending(actor, workspace_id)

    @delete(
        "/{workspace_id:str}/invites/{invite_id:str}", opt=TEAM, status_code=HTTP_204_NO_CONTENT
    )
    async def revoke_invite(
        self,
        workspace_id: FromPath[str],
        invite_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> None:
        await services.invites.revoke(actor, workspace_id, invite_id)

    @patch("/{workspace_id:str}/users/{user_id:str}", opt=TEAM)
    async def set_role(
        self,
        workspace_id: FromPath[str],
        user_id: FromPath[str],
        data: JSONBody[RoleBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Member:
        """Change a member's role; the last OWNER cannot be demoted."""
        return await services.workspaces.set_role(actor, workspace_id, user_id, data.role)

    @delete("/{workspace_id:str}/users/{user_id:str}", opt=TEAM, status_code=HTTP_204_NO_CONTENT)
    async def remove_member(
        self,
        workspace_id: FromPath[str],
        user_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> None:
        """Remove a member; the last OWNER cannot be removed."""
        await services.workspaces.remove_member(actor, workspace_id, user_id)
