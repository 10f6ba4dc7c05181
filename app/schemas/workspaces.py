"""Bodies of `/workspaces`: create, rename/logo, invite, role changes, accepting an invite."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.domain import Role
from app.schemas.base import Body

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Token = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class WorkspaceCreateBody(Body):
    name: Name


class WorkspaceUpdateBody(Body):
    name: Name | None = None
    logo_url: Annotated[str, msgspec.Meta(max_length=200_000)] | None = None


class InviteBody(Body):
    email: Email
    role: Role = Role.AGENT


class RoleBody(Body):
    role: Role


class AcceptInviteBody(Body):
    token: Token
