"""Issue 17's agent tools through NiceGUI's User simulation: Settings → Canned replies (add,
refused duplicate, edit, delete; CSAT switch), the inbox reply bar's `/` list inserting the
filled text, the Note mode adding a private note that is shown and never sent, and the CSAT
chip on the thread header."""

from __future__ import annotations

from nicegui.testing.user import User

from app.db.tables import CsatRating
from app.domain import Actor, ConversationStatus, Role
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, shop, use_workspace


def _value(user: User, marker: str) -> str:
    return str(next(iter(user.find(marker=marker).elements)).value)


async def test_settings_tab_manages_canned_replies_and_csat(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/canned")
    await user.should_see(marker="no-canned")
    user.find(marker="add-canned").click()
    await user.should_see(marker="canned-dialog")
    user.find(marker="canned-shortcut-in").type("hours")
    user.find(marker="canned-title").type("Opening hours")
    user.find(marker="canned-text").type("Hi {{contact.nmae}}")
    user.find(marker="save-canned").click()
    await user.should_see("unknown variable {{contact.nmae}}")
    user.find(marker="canned-text").clear().type("Hi {{contact.name}}, we open at 9.")
    user.find(marker="save-canned").click()
    await user.should_see(content="/hours", marker="canned-shortcut")
    user.find(marker="add-canned").click()  # the same shortcut again: refused, said why
    user.find(marker="canned-shortcut-in").type("/HOURS")
    user.find(marker="canned-title").type("Again")
    user.find(marker="canned-text").type("x")
    user.find(marker="save-canned").click()
    await user.should_see("the shortcut /hours is taken")
    await user.open("/dashboard/settings/canned")
    user.find(marker="edit-canned-hours").click()
    user.find(marker="canned-title").clear().type("When we open")
    user.find(marker="save-canned").click()
    await user.should_see("When we open")
    with user:
        (switch,) = user.find(marker="csat-enabled").elements
        switch.value = True
    user.find(marker="save-csat").click()
    await user.should_see("CSAT saved")
    assert (await dashboard.container.services.settings.get(actor)).csat_enabled is True
    user.find(marker="delete-canned-hours").click()
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="no-canned")


async def test_slash_inserts_a_filled_reply_and_notes_stay_private(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.services.canned_replies.create(
        s.actor, "thanks", "Thank you", "Thanks {{contact.name}}, {{agent.name}} here."
    )
    await s.services.canned_replies.create(s.actor, "hours", "Hours", "9 to 5")
    await s.simulate("hi")

    async def replied():  # type: ignore[no-untyped-def]
        conv = await s.conversation()
        return conv if any(m.sender_type == "BOT" for m in conv.messages) else None

    conv = await eventually(replied)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    user.find(marker="reply-text").type("/than")
    await user.should_see(marker="canned-thanks")
    await user.should_not_see(marker="canned-hours")
    user.find(marker="canned-thanks").click()

    async def filled():  # type: ignore[no-untyped-def]
        return _value(user, "reply-text") == "Thanks Ann, Olga here."

    await eventually(filled)
    user.find(marker="reply-text").clear().type("/hou")  # Enter picks the first match
    await user.should_see(marker="canned-hours")
    await click(user, "reply-send")

    async def inserted():  # type: ignore[no-untyped-def]
        return _value(user, "reply-text") == "9 to 5"

    await eventually(inserted)
    assert all(m.content != "/hou" for m in (await s.conversation()).messages)
    # Note mode: added to the thread, not sent, not a message
    user.find(marker="reply-text").clear()
    await click(user, "reply-note-mode")
    user.find(marker="reply-text").type("Ann prefers mornings")
    await click(user, "reply-send")
    await user.should_see(content="Ann prefers mornings", marker="note-text")
    after = await s.conversation()
    assert [n.text for n in after.notes] == ["Ann prefers mornings"]
    assert all("mornings" not in m.content for m in after.messages)
    await s.services.notes.add(s.actor, conv.id, "a teammate's note")  # live, no reload
    await user.should_see(content="a teammate's note", marker="note-text")
    with user:
        assert len(user.find(marker="note").elements) == 2  # the bar's own note shown once
    await user.open(f"/dashboard/inbox/{conv.id}")  # reloaded: still there, between messages
    await user.should_see(content="Ann prefers mornings", marker="note-text")
    await user.should_see("Private note · Olga")
    # the customer's rating shows on the header
    await s.services.conversations.update(s.actor, conv.id, status=ConversationStatus.RESOLVED)
    rated = CsatRating(
        workspace_id=s.actor.workspace_id,
        conversation_id=conv.id,
        contact_id=conv.contact_id,
        rating=5,
        answered_at=dashboard.container.clock.now(),
    )
    await CsatRating.insert(rated)
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(content="5/5", marker="csat-chip")
    await user.open("/dashboard/analytics")  # and in Analytics, for the range
    await user.should_see("Customer rating (CSAT): 5.0 / 5 from 1 rating")


async def test_a_viewer_sees_notes_but_no_reply_bar(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await s.conversation()
    await s.services.notes.add(s.actor, conv.id, "only for us")
    await dashboard.member(s.owner, "viewer@example.com", Role.VIEWER)
    user = await dashboard.signed_in("viewer@example.com")
    await use_workspace(user, s.actor.workspace_id or "")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(content="only for us", marker="note-text")
    await user.should_see(marker="read-only")


async def test_the_author_edits_and_deletes_a_note_and_teammates_see_it_live(
    dashboard: Dashboard,
) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await s.conversation()
    await s.services.notes.add(s.actor, conv.id, "call bak")
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(content="call bak", marker="note-text")
    await click(user, "note-edit")
    user.find(marker="note-edit-text").clear().type("call back at 5")
    await click(user, "note-edit-save")
    await user.should_see(content="call back at 5", marker="note-text")
    await user.should_see("edited", marker="note")  # marked, where it was
    with user:
        assert len(user.find(marker="note").elements) == 1
    # a teammate's deletion (here: through the service, as another tab would) is live
    other = await s.services.notes.add(s.actor, conv.id, "wrong thread")
    await user.should_see(content="wrong thread", marker="note-text")
    await s.services.notes.delete(s.actor, conv.id, other.id)
    await user.should_not_see(content="wrong thread", marker="note-text")
    await click(user, "note-delete")
    await click(user, "note-delete-confirm")
    await user.should_not_see(marker="note")
    assert (await s.conversation()).notes == []
