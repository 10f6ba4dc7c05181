"""Password reset: a single-use link (one hour by default); using it signs out everywhere.

Asking for a link always succeeds, so the endpoint does not reveal which emails have
accounts. Only a hash of the token is stored, as for refresh tokens. Without SMTP the email
cannot arrive and its link is never logged: the person who runs the app makes one with
`aimywhatsapp reset-link EMAIL` (`make_reset_link`), and the forgot-password page says so.
"""

from __future__ import annotations

from datetime import timedelta

from app.auth import check_strength, hash_password, hash_secret, new_secret
from app.db.tables import PasswordReset, User, UserSession
from app.domain import Clock, Invalid
from app.events import AccessSignals
from app.services.mailer import Mailer


class PasswordResetService:
    def __init__(
        self, clock: Clock, mailer: Mailer, signals: AccessSignals, base_url: str, ttl_s: int
    ) -> None:
        self._clock = clock
        self._mailer = mailer
        self._signals = signals  # a reset signs the user out of their live connections too
        self._base_url = base_url  # the link in the email points at the dashboard's reset page
        self._ttl_s = ttl_s

    async def forgot_password(self, email: str) -> None:
        """Always succeeds, so the endpoint does not reveal which emails have accounts."""
        row = (
            await User.select(User.id, User.name).where(User.email == email.strip().lower()).first()
        )
        if row is None:
            return
        link = await make_reset_link(
            self._clock, row["id"], base_url=self._base_url, ttl_s=self._ttl_s
        )
        await self._mailer.send(
            email.strip().lower(),
            "Reset your Aimywhatsapp password",
            f"Hello {row['name']},\n\nReset your password here (valid for "
            f"{_duration(self._ttl_s)}):\n{link}\n\n"
            "If you did not ask for this, ignore this email.",
        )

    async def reset_password(self, token: str, new_password: str) -> None:
        now = self._clock.now()
        row = (
            await PasswordReset.select(
                *PasswordReset.all_columns(),
                PasswordReset.user_id.email.as_alias("email"),
                PasswordReset.user_id.name.as_alias("name"),
            )
            .where(PasswordReset.token_hash == hash_secret(token))
            .first()
        )
        if row is None or row["used_at"] is not None or row["expires_at"] <= now:
            raise Invalid("this reset link is invalid or expired; ask for a new one")
        check_strength(new_password, (row["email"], row["name"]))
        async with User._meta.db.transaction():
            await PasswordReset.update({PasswordReset.used_at: now}).where(
                PasswordReset.id == row["id"]
            )
            await User.update({User.password_hash: hash_password(new_password)}).where(
                User.id == row["user_id"]
            )
            await UserSession.update({UserSession.revoked_at: now}).where(
                (UserSession.user_id == row["user_id"]) & UserSession.revoked_at.is_null()
            )
        self._signals.changed(user_id=row["user_id"])


async def make_reset_link(clock: Clock, user_id: str, *, base_url: str, ttl_s: int) -> str:
    """Store a new reset token for the user; returns the link (on `base_url`) that spends it."""
    token = new_secret()
    await PasswordReset.insert(
        PasswordReset(
            user_id=user_id,
            token_hash=hash_secret(token),
            expires_at=clock.now() + timedelta(seconds=ttl_s),
        )
    )
    return f"{base_url}/reset-password?token={token}"


async def user_id_by_email(email: str) -> str | None:
    row = await User.select(User.id).where(User.email == email.strip().lower()).first()
    return row["id"] if row else None


def _duration(seconds: int) -> str:
    """How long a link stays valid, in the words of the email ("one hour", "30 minutes")."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "one hour" if hours == 1 else f"{hours} hours"
    minutes = max(1, round(seconds / 60))
    return "one minute" if minutes == 1 else f"{minutes} minutes"
