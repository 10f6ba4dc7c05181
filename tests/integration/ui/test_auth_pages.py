"""Sign-in pages: what forgot-password says when email is not set up (issue 13.5: reset links
no longer go to the log, so the page must tell the user where a link comes from)."""

from __future__ import annotations

from tests.integration.ui.conftest import Dashboard


async def test_forgot_password_without_email_says_who_makes_the_link(
    dashboard: Dashboard,
) -> None:
    await dashboard.register("ann@example.com")
    user = dashboard.new_user()
    await user.open("/forgot-password")
    user.find("Email").type("ann@example.com")
    user.find(marker="submit").click()
    await user.should_see("aimywhatsapp reset-link")
    await user.should_see(marker="forgot-done")
    assert dashboard.container.services.mailer.outbox  # a reset was made, not delivered
