"""Tenancy and identity: workspaces, users, memberships, refresh sessions, resets, invites,
API keys (seed §5 "Auth & tenancy", plus the tables auth needs beyond the seed)."""

from __future__ import annotations

from piccolo.columns import Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    ID_LENGTH,
    created_at,
    optional_timestamp,
    owned_by,
    primary_key,
    refers_to,
    required_timestamp,
    updated_at,
)
from app.domain.enums import Plan, Role


class Workspace(Table, tablename="workspaces"):
    """A tenant. Every tenant-owned row hangs off one and is deleted with it."""

    id = primary_key()
    name = Varchar(length=255)
    slug = Varchar(length=100, unique=True)
    logo_url = Text(null=True, default=None)
    plan = Varchar(length=20, choices=Plan, default=Plan.FREE)
    created_at = created_at()
    updated_at = updated_at()


class User(Table, tablename="users"):
    """A person who can log in. `email` is unique as stored: services store it lower-cased."""

    id = primary_key()
    email = Varchar(length=320, unique=True)
    password_hash = Varchar(length=255)
    name = Varchar(length=255)
    avatar_url = Text(null=True, default=None)
    created_at = created_at()
    last_login_at = optional_timestamp()


class WorkspaceUser(Table, tablename="workspace_users"):
    """Membership with a role; one per (workspace, user)."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    user_id = owned_by(User, index=True)
    role = Varchar(length=20, choices=Role, default=Role.AGENT)
    joined_at = created_at()

    unique_workspace_user = Unique([workspace_id, user_id])


class UserSession(Table, tablename="user_sessions"):
    """A refresh token, stored as its SHA-256 hex digest.

    Rotation: using a token marks it `used_at` and issues a new row in the same `family_id`;
    presenting a used token again means theft, so the whole family gets `revoked_at`.
    """

    id = primary_key()
    user_id = owned_by(User, index=True)
    refresh_token = Varchar(length=64, unique=True)
    family_id = Varchar(length=ID_LENGTH, index=True)
    expires_at = required_timestamp()
    created_at = created_at()
    used_at = optional_timestamp()
    revoked_at = optional_timestamp()
    ip_address = Varchar(length=64, null=True, default=None)
    user_agent = Text(null=True, default=None)


class PasswordReset(Table, tablename="password_resets"):
    """A one-time password reset token (SHA-256 hex digest), spent by setting `used_at`."""

    id = primary_key()
    user_id = owned_by(User, index=True)
    token_hash = Varchar(length=64, unique=True)
    expires_at = required_timestamp()
    used_at = optional_timestamp()
    created_at = created_at()


class WorkspaceInvite(Table, tablename="workspace_invites"):
    """An emailed invitation to join a workspace with a role (token stored hashed)."""

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    email = Varchar(length=320)
    role = Varchar(length=20, choices=Role, default=Role.AGENT)
    token_hash = Varchar(length=64, unique=True)
    invited_by_user_id = refers_to(User)
    expires_at = required_timestamp()
    accepted_at = optional_timestamp()
    created_at = created_at()


class ApiKey(Table, tablename="api_keys"):
    """A workspace-bound API key; only its hash and an 8-char preview are kept."""

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    name = Varchar(length=255)
    key_hash = Varchar(length=255, unique=True)
    key_preview = Varchar(length=16, index=True)
    last_used_at = optional_timestamp()
    created_at = created_at()
    expires_at = optional_timestamp()
    revoked_at = optional_timestamp()
    created_by_user_id = refers_to(User)
