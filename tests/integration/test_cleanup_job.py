"""The daily cleanup (seed §13) removes expired sign-ins, resets, invites and notifications."""

from __future__ import annotations

from datetime import timedelta

from app.container import build_container, lifespan
from app.db.repos import rate_limits
from app.db.tables import Notification, PasswordReset, UserSession, Workspace
from app.domain import ManualClock
from app.jobs.cleanup import cleanup_expired
from app.settings import Settings


async def test_cleanup_removes_only_what_expired(settings: Settings) -> None:
    clock = ManualClock()
    container = build_container(settings, clock)
    async with lifespan(container):
        services = container.services
        await services.auth.register("old@example.com", "Old-pass-123", "Old", "Shop")
        await services.password_resets.forgot_password("old@example.com")
        ws = await Workspace.select(Workspace.id).first()
        await Notification.insert(
            Notification(
                workspace_id=ws["id"], type="kb_indexed", payload={}, expires_at=clock.now()
            )
        )
        assert container.scheduler.get_job("cleanup") is not None
        now_s = clock.now().timestamp()
        await rate_limits.hit("api:old", 60, now_s)  # a counter whose window ends long before
        clock.advance(timedelta(days=31))
        await rate_limits.hit("api:new", 60, clock.now().timestamp())
        await services.auth.register("new@example.com", "New-pass-123", "New", "Shop 2")
        removed = await cleanup_expired(container.clock)
        assert removed == {
            "sessions": 1,
            "password_resets": 1,
            "invites": 0,
            "notifications": 1,
            "webhook_deliveries": 0,
            "rate_limits": 1,
        }
        assert await UserSession.count() == 1  # the fresh sign-in stays
        assert await PasswordReset.count() == 0
