"""Workspaces and their members: the tenancy boundary of everything else.

Permissions (seed §14): the workspace record is `workspace` (every member reads it; OWNER and
ADMIN change it); members and roles are `team` (OWNER changes, ADMIN reads); the names a
conversation can be assigned to are part of `conversations` (whoever may assign). Creating a
workspace is an account's act, not a member's: the creator has no role until it exists.
"""

from __future__ import annotations

import re
import secrets

from app.auth import Resource, guarded
from app.db.tables import User, Workspace, WorkspaceSettings, WorkspaceUser
from app.domain import Actor, Conflict, Forbidden, Invalid, NotFound, Role, new_id
from app.domain import records as m
from app.events import AccessSignals
from app.records import AuditTrail
from app.services._rows import to_model


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
    return slug or "workspace"


def clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("workspace name must not be empty")
    if len(name) > 100:
        raise Invalid("workspace name must have at most 100 characters")
    return name


class WorkspaceService:
    def __init__(self, audit: AuditTrail, signals: AccessSignals) -> None:
        self._audit = audit
        self._signals = signals  # wakes a member's live connections when their access changes

    async def role_of(self, user_id: str, workspace_id: str) -> Role | None:
        row = (
            await WorkspaceUser.select(WorkspaceUser.role)
            .where(
                (WorkspaceUser.user_id == user_id) & (WorkspaceUser.workspace_id == workspace_id)
            )
            .first()
        )
        return Role(row["role"]) if row else None

    async def list_for_user(self, user_id: str) -> list[m.Workspace]:
        """The user's workspaces, oldest membership first (the first is their default)."""
        members = (
            await WorkspaceUser.select(WorkspaceUser.workspace_id, WorkspaceUser.role)
            .where(WorkspaceUser.user_id == user_id)
            .order_by(WorkspaceUser.joined_at)
        )
        if not members:
            return []
        roles = {r["workspace_id"]: Role(r["role"]) for r in members}
        rows = await Workspace.select().where(Workspace.id.is_in(list(roles)))
        by_id = {r["id"]: r for r in rows}
        return [to_model(m.Workspace, by_id[w], role=roles[w]) for w in roles if w in by_id]

    async def create(self, actor: Actor, name: str) -> m.Workspace:
        """New workspace owned by the actor, with default settings."""
        if actor.user_id is None:
            raise Forbidden("only a signed-in user can create a workspace")
        name = clean_name(name)
        slug = slugify(name)
        while await Workspace.exists().where(Workspace.slug == slug):
            slug = f"{slugify(name)[:34]}-{secrets.token_hex(2)}"
        ws_id = new_id()
        async with Workspace._meta.db.transaction():
            await Workspace.insert(Workspace(id=ws_id, name=name, slug=slug))
            await WorkspaceUser.insert(
                WorkspaceUser(workspace_id=ws_id, user_id=actor.user_id, role=Role.OWNER)
            )
            await WorkspaceSettings.insert(WorkspaceSettings(workspace_id=ws_id))
            owner = actor.in_workspace(ws_id, Role.OWNER)
            await self._audit.record(owner, "workspace.create", "workspace", ws_id, {"name": name})
        return await self.get(owner, ws_id)

    @guarded(Resource.WORKSPACE, write=False)
    async def get(self, actor: Actor, workspace_id: str) -> m.Workspace:
        self._same_workspace(actor, workspace_id)
        row = await Workspace.select().where(Workspace.id == workspace_id).first()
        if row is None:
            raise NotFound("workspace not found")
        return to_model(m.Workspace, row, role=actor.role)

    @guarded(Resource.WORKSPACE, write=True)
    async def update(
        self, actor: Actor, workspace_id: str, *, name: str | None, logo_url: str | None
    ) -> m.Workspace:
        self._same_workspace(actor, workspace_id)
        changes: dict = {}
        if name is not None:
            changes[Workspace.name] = clean_name(name)
        if logo_url is not None:
            if logo_url and not logo_url.startswith(("https://", "http://", "data:image/")):
                raise Invalid("logoUrl must be an http(s) URL or a data:image URL")
            changes[Workspace.logo_url] = logo_url or None
        if changes:
            await Workspace.update(changes).where(Workspace.id == workspace_id)
            fields = sorted(c._meta.name for c in changes)
            await self._audit.record(
                actor, "workspace.update", "workspace", workspace_id, {"fields": fields}
            )
        return await self.get(actor, workspace_id)

    @guarded(Resource.TEAM, write=False)
    async def members(self, actor: Actor, workspace_id: str) -> list[m.Member]:
        self._same_workspace(actor, workspace_id)
        rows = (
            await WorkspaceUser.select(
                WorkspaceUser.user_id,
                WorkspaceUser.role,
                WorkspaceUser.joined_at,
                WorkspaceUser.user_id.email.as_alias("email"),
                WorkspaceUser.user_id.name.as_alias("name"),
            )
            .where(WorkspaceUser.workspace_id == workspace_id)
            .order_by(WorkspaceUser.joined_at)
        )
        return [to_model(m.Member, r) for r in rows]

    @guarded(Resource.CONVERSATIONS, write=True)
    async def assignees(self, actor: Actor) -> dict[str, str]:
        """Who a conversation can be assigned to (user id → name): whoever may assign needs
        the names, not the team's emails and roles, which stay with `team` readers."""
        rows = (
            await WorkspaceUser.select(
                WorkspaceUser.user_id, WorkspaceUser.user_id.name.as_alias("name")
            )
            .where(WorkspaceUser.workspace_id == actor.workspace_id)
            .order_by(WorkspaceUser.joined_at)
        )
        return {r["user_id"]: r["name"] for r in rows}

    @guarded(Resource.TEAM, write=True)
    async def set_role(self, actor: Actor, workspace_id: str, user_id: str, role: Role) -> m.Member:
        self._same_workspace(actor, workspace_id)
        current = await self.role_of(user_id, workspace_id)
        if current is None:
            raise NotFound("member not found")
        if current == Role.OWNER and role != Role.OWNER:
            await self._keep_an_owner(workspace_id)
        await WorkspaceUser.update({WorkspaceUser.role: role}).where(
            (WorkspaceUser.workspace_id == workspace_id) & (WorkspaceUser.user_id == user_id)
        )
        await self._audit.record(actor, "member.role", "user", user_id, {"role": role.value})
        self._signals.changed(user_id=user_id)
        return next(x for x in await self.members(actor, workspace_id) if x.user_id == user_id)

    @guarded(Resource.TEAM, write=True)
    async def remove_member(self, actor: Actor, workspace_id: str, user_id: str) -> None:
        self._same_workspace(actor, workspace_id)
        role = await self.role_of(user_id, workspace_id)
        if role is None:
            raise NotFound("member not found")
        if role == Role.OWNER:
            await self._keep_an_owner(workspace_id)
        await WorkspaceUser.delete().where(
            (WorkspaceUser.workspace_id == workspace_id) & (WorkspaceUser.user_id == user_id)
        )
        await self._audit.record(actor, "member.remove", "user", user_id)
        self._signals.changed(user_id=user_id)

    async def add_member(self, workspace_id: str, user_id: str, role: Role) -> None:
        if await self.role_of(user_id, workspace_id) is not None:
            raise Conflict("already a member of this workspace")
        await WorkspaceUser.insert(
            WorkspaceUser(workspace_id=workspace_id, user_id=user_id, role=role)
        )

    async def user_email(self, user_id: str) -> str:
        row = await User.select(User.email).where(User.id == user_id).first()
        if row is None:
            raise NotFound("user not found")
        return row["email"]

    async def _keep_an_owner(self, workspace_id: str) -> None:
        owners = await WorkspaceUser.count().where(
            (WorkspaceUser.workspace_id == workspace_id) & (WorkspaceUser.role == Role.OWNER)
        )
        if owners <= 1:
            raise Conflict("a workspace needs at least one owner; make someone else owner first")

    @staticmethod
    def _same_workspace(actor: Actor, workspace_id: str) -> None:
        """Path and header must agree: a member of A never reaches B by naming it."""
        if actor.workspace_id != workspace_id:
            raise Forbidden("you are not a member of this workspace")
