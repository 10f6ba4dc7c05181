"""API keys: shown once, stored hashed, bound to one workspace, revocable, optionally expiring.

The 8-character preview is taken after the `aimy_` prefix, so it tells keys apart.
An API key acts with the ADMIN role of the seed §14 matrix: it can run the bot's business
(contacts, conversations, knowledge, flows, broadcasts, settings) but cannot manage the team,
billing or link/unlink WhatsApp numbers — those stay with a human owner.

Who may manage keys is decided in one place, `_SEE_KEYS` / `_MANAGE_KEYS` below: the keys are
workspace settings (seed §6 serves them under `/settings/api-keys`), so OWNER and ADMIN read
and change them (seed §14 `settings`) — and only as signed-in people: an API key may not
create, list or revoke API keys (a leaked key that could mint more would survive its own
revocation, and it could revoke everyone else's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from app.auth import Resource, guarded, hash_secret, new_secret
from app.db.tables import ApiKey
from app.domain import Actor, Clock, Forbidden, Invalid, NotFound, Role, Unauthorized
from app.domain import records as m
from app.events import AccessSignals
from app.records import AuditTrail
from app.services._rows import to_model

KEY_PREFIX = "aimy_"
API_KEY_ROLE = Role.ADMIN
_TOUCH_EVERY = timedelta(minutes=1)
F = TypeVar("F", bound=Callable[..., Any])


def _people_only(guard: Callable[[F], F]) -> Callable[[F], F]:
    """`guard` (the role check), then refuse API keys: keys are managed by people."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        async def call(self: Any, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            if actor.api_key_id is not None or actor.user_id is None:
                raise Forbidden(
                    "an API key cannot create, list or revoke API keys; sign in to do that"
                )
            return await method(self, actor, *args, **kwargs)

        return guard(call)  # type: ignore[arg-type]  # same signature as `method` (wraps)

    return wrap


_SEE_KEYS = _people_only(guarded(Resource.SETTINGS, write=False))
_MANAGE_KEYS = _people_only(guarded(Resource.SETTINGS, write=True))


class ApiKeyService:
    def __init__(self, clock: Clock, audit: AuditTrail, signals: AccessSignals) -> None:
        self._clock = clock
        self._audit = audit
        self._signals = signals  # a revoked key ends its open WebSockets

    @_MANAGE_KEYS
    async def create(self, actor: Actor, name: str, expires_at: datetime | None = None) -> m.ApiKey:
        name = name.strip()
        if not name or len(name) > 100:
            raise Invalid("name must have 1 to 100 characters")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise Invalid("expiresAt must include a timezone (e.g. 2027-01-01T00:00:00Z)")
            if expires_at <= self._clock.now():
                raise Invalid("expiresAt must be in the future")
        key = new_secret(KEY_PREFIX)
        row = (
            await ApiKey.insert(
                ApiKey(
                    workspace_id=actor.workspace_id,
                    name=name,
                    key_hash=hash_secret(key),
                    key_preview=key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8],
                    expires_at=expires_at,
                    created_by_user_id=actor.user_id,
                )
            ).returning(*ApiKey.all_columns())
        )[0]
        await self._audit.record(actor, "api_key.create", "api_key", row["id"], {"name": name})
        return to_model(m.ApiKey, row, key=key)

    @_SEE_KEYS
    async def list(self, actor: Actor) -> list[m.ApiKey]:
        rows = (
            await ApiKey.select()
            .where((ApiKey.workspace_id == actor.workspace_id) & ApiKey.revoked_at.is_null())
            .order_by(ApiKey.created_at, ascending=False)
        )
        return [to_model(m.ApiKey, r) for r in rows]

    @_MANAGE_KEYS
    async def revoke(self, actor: Actor, key_id: str) -> None:
        gone = (
            await ApiKey.update({ApiKey.revoked_at: self._clock.now()})
            .where(
                (ApiKey.id == key_id)
                & (ApiKey.workspace_id == actor.workspace_id)
                & ApiKey.revoked_at.is_null()
            )
            .returning(ApiKey.id)
        )
        if not gone:
            raise NotFound("API key not found")
        await self._audit.record(actor, "api_key.revoke", "api_key", key_id)
        self._signals.changed(api_key_id=key_id)

    async def authenticate(self, key: str, ip: str | None = None) -> Actor:
        """Resolve `X-API-Key` to an actor bound to the key's workspace."""
        now = self._clock.now()
        row = await ApiKey.select().where(ApiKey.key_hash == hash_secret(key)).first()
        if row is None or row["revoked_at"] is not None:
            raise Unauthorized("invalid API key")
        if row["expires_at"] is not None and row["expires_at"] <= now:
            raise Unauthorized("API key expired")
        if row["last_used_at"] is None or now - row["last_used_at"] > _TOUCH_EVERY:
            await ApiKey.update({ApiKey.last_used_at: now}).where(ApiKey.id == row["id"])
        return Actor(
            user_id=None,
            workspace_id=row["workspace_id"],
            role=API_KEY_ROLE,
            api_key_id=row["id"],
            ip=ip,
        )
