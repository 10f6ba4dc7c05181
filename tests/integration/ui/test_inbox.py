"""The inbox driven through NiceGUI's User simulation on the real pipeline (simulator channel,
fake LLM): list, thread, human reply, approvals, takeover, resolve, roles, live updates."""

from __future__ import annotations

from app.domain import ConversationStatus, MessageStatus, Role
from app.events import names
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, shop, use_workspace


async def _replied(s, count: int = 1):  # type: ignore[no-untyped-def]
    async def check():  # type: ignore[no-untyped-def]
        conv = await s.conversation()
        return conv if sum(m.sender_type == "BOT" for m in conv.messages) >= count else None

    return await eventually(check)


async def test_list_and_thread_show_bubbles_with_confidence(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("Which cakes do you bake?")  # a question: "hello" gets a greeting, no score
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/inbox")
    await user.should_see(marker=f"conversation-{conv.id}")
    await user.should_see("Ann")
    await user.should_see(marker="pick-one")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="thread-name")
    await user.should_see(marker="bubble-contact")
    await user.should_see(marker="bubble-bot")
    await user.should_see(marker="confidence")  # the fake model's 0.9
    await user.should_see("90%")
    assert (await s.conversation()).unread_count == 0  # opening the thread reads it


async def test_human_reply_sends_and_takes_over(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="bot-banner")
    user.find(marker="reply-text").type("A person here 👋")
    await click(user, "reply-send")
    await user.should_see(marker="bubble-human")
    await user.should_see(marker="takeover-banner")  # replying pauses the bot (default)

    async def sent():  # type: ignore[no-untyped-def]
        got = await s.conversation()
        return any(m.content == "A person here 👋" and m.status != "QUEUED" for m in got.messages)

    await eventually(sent)
    assert (await s.conversation()).contact.human_takeover is True


async def test_takeover_toggle_and_resolve_reopen(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="takeover-toggle")
    with user:
        (toggle,) = user.find(marker="takeover-toggle").elements
        toggle.value = True
    await user.should_see(marker="takeover-banner")
    assert (await s.conversation()).contact.human_takeover is True
    await click(user, "resolve")  # resolving hands the contact back to the bot…
    await user.should_see("Resolved")
    await user.should_see(marker="reopen")
    resolved = await s.conversation()
    assert resolved.status == ConversationStatus.RESOLVED
    assert resolved.contact.human_takeover is False
    await user.should_see(marker="bot-banner")
    await click(user, "reopen")
    await user.should_see(marker="resolve")
    assert (await s.conversation()).status == ConversationStatus.OPEN

    with user:  # …unless the agent keeps the contact with the humans
        (toggle,) = user.find(marker="takeover-toggle").elements
        toggle.value = True
    await user.should_see(marker="takeover-banner")
    await click(user, "resolve-keep-takeover")
    await user.should_see(marker="reopen")
    kept = await s.conversation()
    assert kept.status == ConversationStatus.RESOLVED and kept.contact.human_takeover is True


async def test_a_waiting_conversation_says_so_and_an_agent_hands_it_back(
    dashboard: Dashboard,
) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    await s.services.conversations.update(s.actor, conv.id, status=ConversationStatus.WAITING_HUMAN)
    await dashboard.member(s.owner, "agent@example.com", Role.AGENT)
    agent = await dashboard.signed_in("agent@example.com")
    await use_workspace(agent, s.actor.workspace_id or "")
    await agent.open(f"/dashboard/inbox/{conv.id}")
    await agent.should_see(marker="waiting-banner")
    await agent.should_not_see("The bot answers this contact.")
    with agent:  # the switch shows that the bot is silent, and an agent may hand it back
        (toggle,) = agent.find(marker="takeover-toggle").elements
        assert toggle.value is True and toggle.enabled
        toggle.value = False
    await agent.should_see(marker="bot-banner")
    back = await s.conversation()
    assert back.status == ConversationStatus.OPEN and back.contact.human_takeover is False
    await s.simulate("are you back?")  # and the bot answers again
    await _replied(s, 2)


async def test_approve_and_reject_pending_drafts(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    await s.services.contacts.update(s.actor, conv.contact_id, {"approval_mode": True}, None)
    await s.simulate("price?")

    async def pending():  # type: ignore[no-untyped-def]
        got = await s.conversation()
        return [m for m in got.messages if m.status == MessageStatus.PENDING_APPROVAL]

    (draft,) = await eventually(pending)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="approval-banner")
    await click(user, "approve")
    await user.should_not_see(marker="approval-banner")
    approved = next(m for m in (await s.conversation()).messages if m.id == draft.id)
    assert approved.status != MessageStatus.PENDING_APPROVAL and approved.is_approved

    await s.simulate("discount?")  # arrives live in the open thread, with its banner
    await user.should_see(marker="approval-banner")
    (second,) = await eventually(pending)
    with dashboard.container.events.subscribe(s.actor.workspace_id or "") as sub:
        await click(user, "reject")
        await user.should_not_see(marker="approval-banner")
        events = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    rejected = next(m for m in (await s.conversation()).messages if m.id == second.id)
    assert rejected.status == MessageStatus.REJECTED
    # the service fix: a rejection is published like an approval, so other tabs redraw it
    updated = [e for e in events if e.name == names.MESSAGE_UPDATED]
    assert updated and updated[0].data["message"]["status"] == "REJECTED"

    await s.simulate("when do you open?")  # edit, then send
    await user.should_see(marker="approval-banner")
    (third,) = await eventually(pending)
    await click(user, "approve-edit")
    await user.should_see(marker="approval-edit-text")
    user.find(marker="approval-edit-text").clear().type("We open at 9.")
    await click(user, "approval-edit-send")
    await user.should_not_see(marker="approval-banner")
    edited = next(m for m in (await s.conversation()).messages if m.id == third.id)
    assert edited.content == "We open at 9." and edited.is_approved


async def test_viewer_reads_but_gets_no_controls(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    await dashboard.member(s.owner, "viewer@example.com", Role.VIEWER)
    user = await dashboard.signed_in("viewer@example.com")
    await use_workspace(user, s.actor.workspace_id or "")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="bubble-contact")
    await user.should_see(marker="read-only")
    for marker in ("reply-bar", "resolve", "assign", "approve"):
        await user.should_not_see(marker=marker)
    with user:
        (toggle,) = user.find(marker="takeover-toggle").elements
        assert not toggle.enabled
    await dashboard.member(s.owner, "agent@example.com", Role.AGENT)
    agent = await dashboard.signed_in("agent@example.com")
    await use_workspace(agent, s.actor.workspace_id or "")
    await agent.open(f"/dashboard/inbox/{conv.id}")
    await agent.should_see(marker="reply-bar")  # agents answer conversations…
    await agent.should_see(marker="resolve")
    with agent:  # …but switching the bot off for a contact is a contacts change (API parity)
        (toggle,) = agent.find(marker="takeover-toggle").elements
        assert not toggle.enabled

    async def assignees():  # type: ignore[no-untyped-def]
        with agent:  # an agent cannot read the team, but gets its names to assign to
            (select,) = agent.find(marker="assign").elements
        return select.options or None

    assert len(await eventually(assignees)) == 3


async def test_assign_to_a_member_and_filter_mine(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")
    conv = await _replied(s)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="assign")

    async def options():  # type: ignore[no-untyped-def]
        with user:
            (select,) = user.find(marker="assign").elements
        return select if select.options else None

    select = await eventually(options)
    with user:
        select.value = s.owner.user.id
    await eventually(lambda: _assigned(s, s.owner.user.id))
    await user.open("/dashboard/inbox")
    with user:
        (mine,) = user.find(marker="mine-filter").elements
        mine.value = True
    await user.should_see(marker=f"conversation-{conv.id}")


async def _assigned(s, who: str) -> bool:  # type: ignore[no-untyped-def]
    return (await s.conversation()).assigned_user_id == who
