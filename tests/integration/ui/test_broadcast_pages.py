"""The broadcast pages for a reader (seed §14: agents and viewers read broadcasts): the list
and a broadcast's page show, without New broadcast, pause or cancel; /new is refused."""

from __future__ import annotations

from app.domain import BroadcastTarget, Role
from app.schemas.broadcasts import BroadcastCreateBody
from tests.integration.ui import contact_seed as seed
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose


async def test_an_agent_follows_broadcasts_but_cannot_send_them(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    actor = seed.owner_actor(owner)
    body = BroadcastCreateBody(name="Spring offer", message="Hi", target_type=BroadcastTarget.ALL)
    draft = await dashboard.container.services.broadcasts.create(actor, body)
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("agent@example.com")
    await _choose(dashboard, user, owner)
    await user.open("/dashboard/broadcasts")
    await user.should_see("Spring offer")
    await user.should_not_see(marker="new-broadcast")
    await user.open(f"/dashboard/broadcasts/{draft.id}")
    await user.should_see(marker="summary")
    await user.should_see("Spring offer")
    await user.should_not_see(marker="action-send-now")
    await user.should_not_see(marker="action-delete")
    await user.open("/dashboard/broadcasts/new")
    await user.should_see("can follow broadcasts but not send them")
    await user.should_not_see(marker="send")
