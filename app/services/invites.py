"""Team invitations: an emailed link with a one-time token; accepting creates the membership.

Inviting, listing and revoking invitations is managing the team (seed §14 `team`: OWNER
changes, ADMIN reads). Accepting is the invitee's own act: they have no role in the workspace
yet, and the token plus their email address are the proof.
"""

from __future__ import annotations

from datetime import timedelta

from app.auth import Resource, guarded, hash_secret, new_secret
from app.db.tables import User, WorkspaceInvite, WorkspaceUser
from app.domain import Actor, Clock, Conflict, Forbidden, Invalid, NotFound, Role
from app.domain import records as m
from app.records import AuditTrail
from app.services._rows import to_model
from app.services.mailer import Mailer
from app.services.workspaces import WorkspaceService
from app.settings import Settings


class InviteService:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        mailer: Mailer,
        workspaces: WorkspaceService,
        audit: AuditTrail,
    ) -> None:
        self._s = settings
        self._clock = clock
        self._mailer = mailer
        self._workspaces = workspaces
        self._audit = audit

    @guarded(Resource.TEAM, write=True)
    async def invite(self, actor: Actor, workspace_id: str, email: str, role: Role) -> m.Invite:
        from app.services.auth import normalize_email

        if actor.workspace_id != workspace_id:
            raise Forbidden("you are not a member of this workspace")
        email = normalize_email(email)
        member = await WorkspaceUser.exists().where(
            (WorkspaceUser.workspace_id == workspace_id) & (WorkspaceUser.user_id.email == email)
        )
        if member:
            raise Conflict(f"{email} is already a member of this workspace")
        token = new_secret("inv_")
        now = self._clock.now()
        row = (
            await WorkspaceInvite.insert(
                WorkspaceInvite(
                    workspace_id=workspace_id,
                    email=email,
                    role=role,
                    token_hash=hash_secret(token),
                    invited_by_user_id=actor.user_id,
                    expires_at=now + timedelta(seconds=self._s.invite_ttl_s),
                )
            ).returning(*WorkspaceInvite.all_columns())
        )[0]
        ws = await self._workspaces.get(actor, workspace_id)
        url = f"{self._s.base_url}/accept-invite?token={token}"
        await self._mailer.send(
            email,
            f"You are invited to {ws.name} on Aimywhatsapp",
            f"You were invited to join {ws.name} as {role.value.lower()}.\n\nAccept here: {url}\n",
        )
        await self._audit.record(actor, "member.invite", "invite", row["id"], {"email": email})
        return to_model(m.Invite, row, invite_url=url)

    @guarded(Resource.TEAM, write=False)
    async def pending(self, actor: Actor, workspace_id: str) -> list[m.Invite]:
        if actor.workspace_id != workspace_id:
            raise Forbidden("you are not a member of this workspace")
        rows = (
            await WorkspaceInvite.select()
            .where(
                (WorkspaceInvite.workspace_id == workspace_id)
                & WorkspaceInvite.accepted_at.is_null()
                & (WorkspaceInvite.expires_at > self._clock.now())
            )
            .order_by(WorkspaceInvite.created_at, ascending=False)
        )
        return [to_model(m.Invite, r) for r in rows]

    @guarded(Resource.TEAM, write=True)
    async def revoke(self, actor: Actor, workspace_id: str, invite_id: str) -> None:
        if actor.workspace_id != workspace_id:
            raise Forbidden("you are not a member of this workspace")
        gone = (
            await WorkspaceInvite.delete()
            .where(
                (WorkspaceInvite.id == invite_id) & (WorkspaceInvite.workspace_id == workspace_id)
            )
            .returning(WorkspaceInvite.id)
        )
        if not gone:
            raise NotFound("invite not found")
        await self._audit.record(actor, "member.invite_revoke", "invite", invite_id)

    async def accept(self, actor: Actor, token: str) -> m.Workspace:
        """The signed-in user joins; the invite must be addressed to their email."""
        now = self._clock.now()
        row = (
            await WorkspaceInvite.select()
            .where(WorkspaceInvite.token_hash == hash_secret(token))
            .first()
        )
        if row is None or row["accepted_at"] is not None or row["expires_at"] <= now:
            raise Invalid("this invitation is invalid, used or expired")
        user = await User.select(User.email).where(User.id == actor.user_id).first()
        if user is None or user["email"] != row["email"]:
            raise Forbidden("this invitation was sent to another email address")
        ws_id = row["workspace_id"]
        async with WorkspaceInvite._meta.db.transaction():
            await self._workspaces.add_member(ws_id, actor.user_id or "", Role(row["role"]))
            await WorkspaceInvite.update({WorkspaceInvite.accepted_at: now}).where(
                WorkspaceInvite.id == row["id"]
            )
            joined = actor.in_workspace(ws_id, Role(row["role"]))
            await self._audit.record(joined, "member.join", "user", actor.user_id)
        return await self._workspaces.get(joined, ws_id)
