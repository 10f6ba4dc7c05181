"""Who is acting, in which workspace, with which role — what services authorize and audit."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.enums import Role
from app.domain.permissions import Resource, can


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str | None
    workspace_id: str | None = None
    role: Role | None = None
    api_key_id: str | None = None
    ip: str | None = None
    session_family: str | None = None

    @property
    def label(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"api_key:{self.api_key_id}"

    def may(self, resource: Resource, *, write: bool = False) -> bool:
        """True when the actor's role in their workspace grants `resource` (seed §14); an actor
        with no workspace may nothing. The one question every page and service guard asks."""
        return (
            self.role is not None
            and self.workspace_id is not None
            and can(self.role, resource, write=write)
        )

    def in_workspace(self, workspace_id: str, role: Role) -> Actor:
        return Actor(
            self.user_id, workspace_id, role, self.api_key_id, self.ip, self.session_family
        )
