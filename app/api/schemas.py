"""Request bodies. Strict: unknown fields are rejected (a typo must not pass silently)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from app.domain import Role

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Token = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class Body(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base for request bodies."""


class RegisterBody(Body):
    email: Email
    password: Password
    name: Name
    workspace_name: Name


class LoginBody(Body):
    email: Email
    password: Password


class RefreshBody(Body):
    refresh_token: Token


class ForgotPasswordBody(Body):
    email: Email


class ResetPasswordBody(Body):
    token: Token
    password: Password


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


class ApiKeyCreateBody(Body):
    name: Name
    expires_at: datetime | None = None


class Health(msgspec.Struct):
    status: str
    version: str
    database: str
