"""Sign-ins: refresh with rotation, logout, revocation, and checking a sign-in is alive.

Refresh tokens are opaque, stored hashed, and rotate on every use. Each sign-in starts a
*family*; a refresh token that is presented a second time means it leaked, so the whole family
is revoked (the thief and the owner are both signed out; the owner signs in again).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.auth import TokenSigner, hash_secret, new_secret
from app.db.tables import User, UserSession
from app.domain import Actor, Clock, Unauthorized, new_id
from app.domain import records as m
from app.events import AccessSignals
from app.services._rows import to_model
from app.services.workspaces import WorkspaceService

log = logging.getLogger(__name__)


class SignInService:
    def __init__(
        self,
        clock: Clock,
        signer: TokenSigner,
        workspaces: WorkspaceService,
        signals: AccessSignals,
        refresh_ttl_s: int,
    ) -> None:
        self._clock = clock
        self._signer = signer
        self._workspaces = workspaces  # a sign-in opens in the user's first workspace
        self._signals = signals  # a revoked sign-in ends its live connections
        self._refresh_ttl = timedelta(seconds=refresh_ttl_s)

    async def refresh(self, refresh_token: str, *, ip: str | None = None) -> m.Session:
        """Rotate: the presented token is spent and a new one of the same family is issued."""
        now = self._clock.now()
        row = (
            await UserSession.select()
            .where(UserSession.refresh_token == hash_secret(refresh_token))
            .first()
        )
        if row is None or row["revoked_at"] is not None:
            raise Unauthorized("refresh token is not valid; sign in again")
        spent = (
            await UserSession.update({UserSession.used_at: now})
            .where((UserSession.id == row["id"]) & UserSession.used_at.is_null())
            .returning(UserSession.id)
        )
        if not spent:
            await self.revoke_family(row["family_id"])
            log.warning("refresh token re-used for user %s: family revoked", row["user_id"])
            raise Unauthorized("refresh token was already used; all its sessions were revoked")
        if row["expires_at"] <= now:
            raise Unauthorized("refresh token expired; sign in again")
        workspaces = await self._workspaces.list_for_user(row["user_id"])
        return await self.open(
            row["user_id"],
            workspaces[0] if workspaces else None,
            ip=ip,
            user_agent=row["user_agent"],
            family=row["family_id"],
        )

    async def logout(self, refresh_token: str) -> None:
        """Revoke the sign-in this refresh token belongs to (unknown tokens are ignored)."""
        row = (
            await UserSession.select(UserSession.family_id)
            .where(UserSession.refresh_token == hash_secret(refresh_token))
            .first()
        )
        if row:
            await self.revoke_family(row["family_id"])

    async def revoke_family(self, family_id: str) -> None:
        """Sign this sign-in out everywhere: tokens, refresh, and its open live connections."""
        revoked = (
            await UserSession.update({UserSession.revoked_at: self._clock.now()})
            .where((UserSession.family_id == family_id) & UserSession.revoked_at.is_null())
            .returning(UserSession.user_id)
        )
        for user_id in {row["user_id"] for row in revoked}:
            self._signals.changed(user_id=user_id)

    async def authenticate(self, access_token: str) -> Actor:
        """Verify an access token and that its sign-in was not revoked since."""
        return (await self.authenticate_until(access_token))[0]

    async def authenticate_until(self, access_token: str) -> tuple[Actor, datetime]:
        """`authenticate`, plus when the token expires (a live connection must end then)."""
        claims = self._signer.verify(access_token)
        alive = await UserSession.exists().where(
            (UserSession.family_id == claims.session_family)
            & (UserSession.user_id == claims.user_id)
            & UserSession.revoked_at.is_null()
        )
        if not alive:
            raise Unauthorized("this sign-in was revoked; sign in again")
        actor = Actor(user_id=claims.user_id, session_family=claims.session_family)
        return actor, claims.expires_at

    async def resume(self, user_id: str, family: str) -> Actor:
        """The dashboard keeps (user, sign-in family), not tokens: check the sign-in is alive."""
        alive = await UserSession.exists().where(
            (UserSession.family_id == family)
            & (UserSession.user_id == user_id)
            & UserSession.revoked_at.is_null()
            & (UserSession.expires_at > self._clock.now())
        )
        if not alive:
            raise Unauthorized("signed out; sign in again")
        return Actor(user_id=user_id, session_family=family)

    async def me(self, user_id: str) -> tuple[m.User, list[m.Workspace]]:
        row = await User.select().where(User.id == user_id).first()
        if row is None:
            raise Unauthorized("this account no longer exists")
        return to_model(m.User, row), await self._workspaces.list_for_user(user_id)

    async def open(
        self,
        user_id: str,
        workspace: m.Workspace | None,
        *,
        ip: str | None,
        user_agent: str | None,
        family: str | None = None,
    ) -> m.Session:
        """A new sign-in (or, with `family`, the next one of a rotation): stores the refresh
        token's hash and returns both tokens."""
        refresh = new_secret("rt_")
        family = family or new_id()
        await UserSession.insert(
            UserSession(
                user_id=user_id,
                refresh_token=hash_secret(refresh),
                family_id=family,
                expires_at=self._clock.now() + self._refresh_ttl,
                ip_address=ip,
                user_agent=(user_agent or "")[:300] or None,
            )
        )
        user, _ = await self.me(user_id)
        return m.Session(
            access_token=self._signer.issue(user_id, family),
            refresh_token=refresh,
            expires_in=int(self._signer.ttl.total_seconds()),
            user=user,
            workspace=workspace,
        )
