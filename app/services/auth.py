"""Accounts and sign-in: register, login, refresh with rotation, logout, password reset.

Callers see one `AuthService`. Here: creating an account and signing in with a password. The
token side of a sign-in (rotation, revocation, `authenticate`) is `SignIns`' (sign_ins.py);
the reset-by-email flow is `PasswordResets`' (password_reset.py).
"""

from __future__ import annotations

from app.auth import TokenSigner, check_strength, hash_password, needs_rehash, verify_password
from app.db.tables import User
from app.domain import Actor, Clock, Invalid, Unauthorized, new_id
from app.domain import models as m
from app.events import AccessSignals
from app.services.mailer import Mailer
from app.services.password_reset import PasswordResets
from app.services.sign_ins import SignIns
from app.services.workspaces import WorkspaceService, clean_name
from app.settings import Settings


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise Invalid(f"'{email}' is not a valid email address")
    return email


class AuthService(SignIns, PasswordResets):
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        signer: TokenSigner,
        mailer: Mailer,
        workspaces: WorkspaceService,
        signals: AccessSignals,
    ) -> None:
        self._s = settings
        self._clock = clock
        self._signer = signer
        self._mailer = mailer
        self._workspaces = workspaces
        self._signals = signals  # a revoked sign-in ends its live connections

    async def register(
        self, email: str, password: str, name: str, workspace_name: str, *, ip: str | None = None
    ) -> m.Session:
        """Create a user with their first workspace (they own it) and sign them in.

        An address that already has an account is answered as `login` answers it: the right
        password signs in (nothing is created), a wrong one gets login's "wrong email or
        password". The answer never says an address is taken (see README, *Accounts*)."""
        email = normalize_email(email)
        check_strength(password, (email, name))
        if not name.strip():
            raise Invalid("name must not be empty")
        clean_name(workspace_name)
        if await User.exists().where(User.email == email):
            return await self.login(email, password, ip=ip)
        password_hash = hash_password(password)
        async with User._meta.db.transaction():
            user_id = new_id()
            await User.insert(
                User(id=user_id, email=email, password_hash=password_hash, name=name.strip())
            )
            actor = Actor(user_id=user_id, ip=ip)
            workspace = await self._workspaces.create(actor, workspace_name)
        return await self._open_session(user_id, workspace, ip=ip, user_agent=None)

    async def login(
        self, email: str, password: str, *, ip: str | None = None, user_agent: str | None = None
    ) -> m.Session:
        row = await User.select().where(User.email == email.strip().lower()).first()
        if not verify_password(row["password_hash"] if row else None, password) or row is None:
            raise Unauthorized("wrong email or password")
        updates: dict = {User.last_login_at: self._clock.now()}
        if needs_rehash(row["password_hash"]):
            updates[User.password_hash] = hash_password(password)
        await User.update(updates).where(User.id == row["id"])
        workspaces = await self._workspaces.list_for_user(row["id"])
        return await self._open_session(
            row["id"], workspaces[0] if workspaces else None, ip=ip, user_agent=user_agent
        )
