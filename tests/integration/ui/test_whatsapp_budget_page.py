"""Settings → WhatsApp shows each number's send budget (issue 15.1): today's use, the
per-minute limit, pause and resume by hand, the limits dialog, the workspace's sending hours;
an admin sees the budget but cannot change it."""

from __future__ import annotations

from typing import Any

from nicegui.testing.user import User

from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard


def _value(user: User, marker: str) -> Any:
    with user:
        return next(iter(user.find(marker=marker).elements))


async def test_owner_sees_pauses_resumes_and_sets_limits(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    session = await services.sessions.create(actor, "sim", "simulator")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/whatsapp")
    await user.should_see(content="Today: 0 of 100000 sent", marker="today-sim")
    await user.should_see(content="1000/min · 0 in the last minute", marker="minute-sim")

    user.find(marker="pause-sim").click()
    await user.should_see(marker="paused-sim")
    await user.should_see("paused by hand")
    assert (await services.send_budgets.get(actor, session.id)).paused
    user.find(marker="resume-sim").click()
    await user.should_not_see(marker="paused-sim")
    assert not (await services.send_budgets.get(actor, session.id)).paused

    user.find(marker="limits-sim").click()
    await user.should_see(marker="limits-dialog")
    _value(user, "per-minute").value = 0
    user.find(marker="save-limits").click()
    await user.should_see(marker="limits-error")
    _value(user, "per-minute").value = 30
    _value(user, "per-day").value = 500
    user.find(marker="save-limits").click()
    await user.should_see(content="30/min", marker="minute-sim")
    view = await services.send_budgets.get(actor, session.id)
    assert (view.per_minute, view.per_day) == (30, 500)

    _value(user, "timezone").value = "Europe/Berlin"
    _value(user, "quiet-switch").value = True
    _value(user, "quiet-start").value = "22:00"
    _value(user, "quiet-end").value = "7:00"
    user.find(marker="save-hours").click()
    await user.should_see(content="quietHoursEnd", marker="hours-error")
    _value(user, "quiet-end").value = "07:00"
    _value(user, "opt-out-words").value = "abmelden, genug"
    user.find(marker="save-hours").click()
    await user.should_see("Sending hours saved")
    saved = await services.settings.get(actor)
    assert (saved.timezone, saved.quiet_hours_enabled, saved.quiet_hours_end) == (
        "Europe/Berlin", True, "07:00",
    )  # fmt: skip
    assert saved.opt_out_words == ["abmelden", "genug"]


async def test_admin_sees_the_budget_but_cannot_change_it(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    session = await services.sessions.create(actor, "sim", "simulator")
    await services.send_budgets.pause(actor, session.id, "checking the ban")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    user = await dashboard.signed_in("admin@example.com")
    from ui import session as ui_session

    await user.open("/dashboard")
    with user:
        ui_session.choose_workspace(owner.workspace.id)
    await user.open("/dashboard/settings/whatsapp")
    await user.should_see(marker="paused-sim")
    await user.should_see("paused by hand: checking the ban")
    for marker in ("resume-sim", "pause-sim", "limits-sim"):
        await user.should_not_see(marker=marker)
