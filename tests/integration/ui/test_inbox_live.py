"""The inbox's live side: new messages, list changes and the engine's annotations reach an
open tab through the event bus without a reload; a closed tab drops its subscription."""

from __future__ import annotations

from nicegui import context

from app.events import names
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import eventually, shop
from tests.integration.ui.test_inbox import _replied


async def test_live_updates_without_reload(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("first")
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    bus = dashboard.container.events
    idle = bus.subscriber_count  # before the tab: the shell and the inbox each subscribe
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="bubble-bot")
    await s.simulate("are you open on sunday?")
    await user.should_see("are you open on sunday?")  # inbound, then the bot's echo
    await _replied(s, 2)
    with user:
        bots = user.find(marker="bubble-bot").elements
    assert len(bots) == 2
    await s.simulate("new here", who="+4917600000002", name="Bob")
    await user.should_see("Bob")  # the list refreshes too
    assert bus.subscriber_count > idle
    with user:
        client = context.client
    client.delete()  # what NiceGUI does when the tab is gone for good

    async def dropped() -> bool:
        return bus.subscriber_count == idle

    await eventually(dropped)


async def test_engine_publishes_what_it_understood_about_an_inbound(dashboard: Dashboard) -> None:
    """The service fix: sentiment / language / transcript are published as message:updated, so
    an open inbox shows a voice note's transcript and the mood dot without a reload."""
    s = await shop(dashboard)
    with dashboard.container.events.subscribe(s.actor.workspace_id or "") as sub:
        await s.simulate("Thank you so much, this is wonderful!")
        await _replied(s)
        events = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    inbound = next(e for e in events if e.name == names.MESSAGE_NEW)
    updated = [
        e.data["message"]
        for e in events
        if e.name == names.MESSAGE_UPDATED
        and e.data["message"]["id"] == inbound.data["message"]["id"]
    ]
    assert updated and updated[0]["language"] and updated[0]["sentiment"]
