"""Accounts: register, and sign in with a password.

A sign-in, once open, is `SignInService`'s (sign_ins.py: rotation, revocation,
`authenticate`); the reset-by-email flow is `PasswordResetService`'s (password_reset.py).
"""

from __future__ import annotations

from app.auth import check_strength, hash_password, needs_rehash, verify_password
from app.db.tables import User
from app.domain import Actor, Clock, Invalid, Unauthorized, new_id
from app.domain import records as m
from app.services.sign_ins import SignInService
from app.services.workspaces import WorkspaceService, clean_name


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise Invalid(f"'{email}' is not a valid email address")
    return email


class AuthService:
    def __init__(self, clock: Clock, workspaces: WorkspaceService, sign_ins: SignInService) -> None:
        self._clock = clock
        self._workspaces = workspaces  # a new account gets its first workspace
        self._sign_ins = sign_ins

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
        return await self._sign_ins.open(user_id, workspace, ip=ip, user_agent=None)

    async def has_accounts(self) -> bool:
        """False on a fresh install: the first visitor is then asked to create the owner
        account instead of signing in to an account that cannot exist yet."""
        return bool(await User.exists())

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
        return await self._sign_ins.open(
            row["id"], workspaces[0] if workspaces else None, ip=ip, user_agent=user_agent
        )
