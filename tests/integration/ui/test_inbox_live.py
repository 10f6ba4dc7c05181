"""The inbox's live side: new messages, list changes and the engine's annotations reach an
open tab through the event bus without a reload; a closed tab drops its subscription."""

from __future__ import annotations

import asyncio
import time

import pytest
from nicegui import context, ui

from app.db.tables import Conversation
from app.events import catalog, names
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import eventually, shop
from tests.integration.ui.test_inbox import _replied
from ui.components import live
from ui.components.redraw import WINDOW_S, shared_reads
from ui.pages.inbox import conversation_list
from ui.pages.inbox.conversation_list import ConversationList
from ui.pages.inbox.conversation_row import ConversationRow


async def test_live_updates_without_reload(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("first")
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    bus = dashboard.container.events
    idle = bus.subscriber_count  # before the tab
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="bubble-bot")
    await s.simulate("are you open on sunday?")
    await user.should_see("are you open on sunday?")  # inbound, then the bot's echo
    await _replied(s, 2)

    async def two_bot_bubbles() -> bool:  # stored first, then shown: the event follows
        with user:
            return len(user.find(marker="bubble-bot").elements) == 2

    await eventually(two_bot_bubbles)
    await s.simulate("new here", who="+4917600000002", name="Bob")
    await user.should_see("Bob")  # the list refreshes too
    # one subscription for the tab: the inbox, the bell and the WhatsApp badge share it (one
    # per widget made 20 open tabs ~80 streams, each woken by every event: issue 19)
    assert bus.subscriber_count == idle + 1
    with user:
        client = context.client
    client.delete()  # what NiceGUI does when the tab is gone for good

    async def dropped() -> bool:
        return bus.subscriber_count == idle

    await eventually(dropped)
    assert client.id not in live._TABS  # nothing keeps the closed tab's page


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


async def test_a_removed_or_signed_out_member_stops_getting_live_updates(
    dashboard: Dashboard,
) -> None:
    """Issue 13.1: an open inbox of a viewer who was removed (and signed out) kept updating.
    Now every live subscription of the tab ends — the bus drops them — and the tab reloads (to
    the sign-in page, or what the member may still see)."""
    from app.domain import Role

    s = await shop(dashboard)
    await s.simulate("first")
    await _replied(s)
    bus = dashboard.container.events
    services = dashboard.container.services
    shop_id = s.actor.workspace_id or ""
    viewer = await dashboard.member(s.owner, "vic@example.com", Role.VIEWER)
    user = await dashboard.signed_in("vic@example.com")
    with user:
        from ui import session

        session.choose_workspace(s.actor.workspace_id or "")
    await user.open("/dashboard/inbox")
    await s.simulate("still live", who="+4917600000002", name="Bob")
    await user.should_see("Bob")  # a viewer's inbox is live
    assert bus.subscribers_of(shop_id) >= 1  # the tab's one: inbox and header share it
    with user:
        tab = context.client
    await services.workspaces.remove_member(s.actor, shop_id, viewer.user.id)

    async def cut_off() -> bool:  # (the reloaded tab follows the viewer's own workspace)
        return bus.subscribers_of(shop_id) == 0

    await eventually(cut_off)  # every subscription of the tab on the shop is gone, at once

    async def dropped() -> bool:  # and the old tab itself: its handlers hold the old actor
        return tab.is_deleted

    await eventually(dropped)
    await s.simulate("after removal", who="+4917600000003", name="Carl")

    async def stored() -> bool:
        page = await services.conversation_queries.list(s.actor, search="4917600000003")
        return bool(page.items)

    await eventually(stored)
    await user.should_not_see("Carl")

    # sign-out elsewhere ends the owner's open tab the same way
    owner_tab = await dashboard.signed_in("owner@example.com")
    await owner_tab.open("/dashboard/inbox")
    await owner_tab.should_see("Bob")
    assert bus.subscribers_of(shop_id) >= 1
    with owner_tab:
        from nicegui import app

        family = app.storage.user["family"]
    await services.sign_ins.revoke_family(family)
    await eventually(cut_off)


async def test_a_burst_of_events_costs_each_open_list_one_redraw_and_shows_the_last(
    dashboard: Dashboard,
) -> None:
    """Issue 19: every open tab hears every event, and one customer message brings several.
    A burst redraws each tab's conversation list about once per window (not once per event),
    the tabs share the reads, only the changed row is drawn again — and the change made just
    before the burst's last event is what the lists end up showing (no lost update)."""
    s = await shop(dashboard)
    await s.simulate("first")
    conv = await _replied(s)
    lists: list[ConversationList] = []
    for _ in range(2):  # two tabs of the same workspace
        user = await dashboard.signed_in("owner@example.com")
        await user.open("/dashboard/inbox")
        await user.should_see(marker=f"conversation-{conv.id}")
        with user:
            (listing,) = user.find(marker="conversation-list").elements
        assert isinstance(listing, ConversationList)
        lists.append(listing)

    async def quiet() -> bool:  # the set-up's own events have been drawn
        await asyncio.sleep(2 * WINDOW_S)
        return all(not lst.refresher.busy for lst in lists)

    await eventually(quiet)
    redraws, filled = [lst.refresher.count for lst in lists], [lst.rows.filled for lst in lists]
    loads = shared_reads().loads
    bus, ws = dashboard.container.events, s.actor.workspace_id or ""
    (item,) = (await s.services.conversation_queries.list(s.actor)).items
    started, n = time.monotonic(), 40
    for i in range(n):
        if i == n - 1:
            await Conversation.update({Conversation.unread_count: 7}).where(
                Conversation.id == conv.id
            )
        bus.publish(catalog.conversation_updated(ws, item))
        await asyncio.sleep(0.005)
    burst = time.monotonic() - started

    async def shows_the_last() -> bool:
        return all(
            [b.text for b in lst.rows.rows[conv.id][0].descendants() if _shown_badge(b)] == ["7"]
            for lst in lists
        )

    await eventually(shows_the_last)
    await eventually(quiet)
    most = burst / WINDOW_S + 2  # one per window the burst spans, plus one straddling its end
    for lst, before in zip(lists, redraws, strict=True):
        assert 1 <= lst.refresher.count - before <= most, (lst.refresher.count - before, burst)
    for lst, drawn, rounds in zip(lists, filled, redraws, strict=True):
        assert lst.rows.filled - drawn <= lst.refresher.count - rounds  # only the changed row
    assert shared_reads().loads - loads <= most  # one read per redraw round, for both tabs


async def test_a_conversation_new_to_the_page_takes_over_the_row_that_left_it(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19, session 10: building a row's elements for every new conversation in every open
    tab was most of the loop's time with 20 tabs. A page of one row: when the other customer
    writes, their conversation moves onto the page in the same row element, which now names
    them and opens their thread — no row is built."""
    monkeypatch.setattr(conversation_list, "PAGE_SIZE", 1)
    s = await shop(dashboard)
    await s.simulate("first", who="+4917600000002", name="Bob")
    bob = await eventually(lambda: _answered(s, "+4917600000002"))
    await s.simulate("hello")
    ann = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/inbox")
    await user.should_see(marker=f"conversation-{ann.id}")
    with user:
        (listing,) = user.find(marker="conversation-list").elements
    assert isinstance(listing, ConversationList)
    (row,) = [r for r, _ in listing.rows.rows.values()]
    await s.simulate("me again", who="+4917600000002", name="Bob")
    await user.should_see(marker=f"conversation-{bob.id}")
    assert [r for r, _ in listing.rows.rows.values()] == [row]  # the same element, now Bob's
    assert listing.rows.made == 1
    assert isinstance(row, ConversationRow) and row.conversation_id == bob.id
    assert row.name.text == "Bob"


async def test_a_message_taken_back_leaves_the_open_thread(dashboard: Dashboard) -> None:
    """message:deleted (a broadcast paused or cancelled took a queued message back): the
    open thread drops its bubble instead of showing it as queued for ever."""
    s = await shop(dashboard)
    await s.simulate("first")
    await _replied(s)
    await s.simulate("second")
    conv = await _replied(s, 2)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")

    async def bot_bubbles(n: int) -> bool:
        with user:
            return len(user.find(marker="bubble-bot").elements) == n

    await eventually(lambda: bot_bubbles(2))
    gone = [m for m in conv.messages if m.sender_type == "BOT"][-1]
    bus = dashboard.container.events
    bus.publish(catalog.message_deleted(s.actor.workspace_id or "", gone.id, conv.id))
    await eventually(lambda: bot_bubbles(1))
    await user.should_see("first")  # the rest of the thread stays


def _shown_badge(element: ui.element) -> bool:
    """A badge the row shows (a row keeps its status and unread badges, hidden when empty)."""
    return isinstance(element, ui.badge) and element.visible


async def _answered(s, who: str):  # type: ignore[no-untyped-def]
    conv = await s.conversation(who)
    return conv if any(m.sender_type == "BOT" for m in conv.messages) else None
