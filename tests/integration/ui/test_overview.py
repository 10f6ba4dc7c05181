"""The overview KPIs on real SQLite rows: the service's numbers (workspace-scoped, 30-day
window, "no human message and no escalation" rule) and the cards that show them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db.tables import Contact, Conversation, Message
from app.domain import Actor, ConversationStatus, Forbidden, Role, SenderType, new_id
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _eventually

S = ConversationStatus
ESCALATED = "escalated"  # a bot reply that handed the conversation to a person


async def _seed(workspace_id: str, now) -> None:  # type: ignore[no-untyped-def]
    """Six conversations of one contact; `(status, resolved days ago, [(sender, days ago)])`."""
    contact = new_id()
    await Contact.insert(
        Contact(id=contact, workspace_id=workspace_id, jid=f"{contact}@s.whatsapp.net",
                phone_number="4915100000")
    )  # fmt: skip
    plan = [
        (S.OPEN, None, [(SenderType.CONTACT, 0), (SenderType.BOT, 0), (SenderType.CONTACT, 1)]),
        (S.WAITING_HUMAN, None, [(SenderType.CONTACT, 0)]),
        (S.PENDING_APPROVAL, None, [(SenderType.CONTACT, 3)]),
        (S.RESOLVED, 2, [(SenderType.CONTACT, 2), (SenderType.BOT, 2)]),  # bot-resolved
        (S.RESOLVED, 5, [(SenderType.CONTACT, 5), (SenderType.HUMAN, 5)]),  # a person helped
        (S.RESOLVED, 3, [(SenderType.CONTACT, 3), (ESCALATED, 3)]),  # the bot handed over
        (S.RESOLVED, 40, [(SenderType.BOT, 40)]),  # outside the 30-day window
    ]
    for status, resolved_days, messages in plan:
        conv = new_id()
        await Conversation.insert(
            Conversation(
                id=conv, workspace_id=workspace_id, contact_id=contact, status=status,
                resolved_at=None if resolved_days is None else now - timedelta(days=resolved_days),
            )
        )  # fmt: skip
        for sender, days in messages:
            direction = "INBOUND" if sender == SenderType.CONTACT else "OUTBOUND"
            reason = "low_confidence" if sender == ESCALATED else None
            await Message.insert(
                Message(
                    id=new_id(), workspace_id=workspace_id, conversation_id=conv,
                    direction=direction, content="hi", created_at=now - timedelta(days=days),
                    sender_type=SenderType.BOT if sender == ESCALATED else sender,
                    escalation_reason=reason,
                )
            )  # fmt: skip


async def test_kpis_count_this_workspace_only(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    other = await dashboard.register("other@example.com", ws="Other")
    assert owner.workspace is not None and other.workspace is not None
    now = dashboard.container.clock.now()
    await _seed(owner.workspace.id, now)
    await _seed(other.workspace.id, now)  # must not leak into the owner's numbers
    await Conversation.update({Conversation.status: S.RESOLVED}).where(
        Conversation.workspace_id == other.workspace.id
    )
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.VIEWER)
    kpis = await dashboard.container.services.overview.kpis(actor)
    assert kpis.messages_today == 3
    assert kpis.open_conversations == 3
    assert kpis.waiting_human == 1
    assert (kpis.resolved_30d, kpis.resolved_by_bot_30d) == (3, 1)  # the escalated one is not
    assert kpis.resolution_rate == pytest.approx(1 / 3)


async def test_no_resolved_conversation_means_no_rate_and_a_workspace_is_required(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    kpis = await dashboard.container.services.overview.kpis(actor)
    assert (kpis.messages_today, kpis.open_conversations, kpis.resolution_rate) == (0, 0, None)
    with pytest.raises(Forbidden):
        await dashboard.container.services.overview.kpis(Actor(owner.user.id))


async def test_cards_show_the_numbers_to_every_role(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    await _seed(owner.workspace.id, dashboard.container.clock.now())
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    for email in ("owner@example.com", "viewer@example.com"):
        user = await dashboard.signed_in(email)
        await _choose(dashboard, user, owner)
        await user.open("/dashboard")
        await user.should_see(marker="greeting")
        await user.should_see(marker="kpis")
        for key, shown in [("messages_today", "3"), ("open_conversations", "3"),
                           ("waiting_human", "1"), ("resolution_rate", "33%")]:  # fmt: skip
            with user:
                (label,) = user.find(marker=f"kpi-{key}-value").elements
                assert label.text == shown, (email, key, label.text)
        await user.should_see("1 of 3 resolved in 30 days by the bot alone.")
        await user.should_not_see("arrive with")  # the placeholder cards are gone


async def test_cards_follow_new_messages_live(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    sessions = dashboard.container.services.sessions
    sim = await sessions.create(actor, "sim", "simulator")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    await user.should_see(marker="kpis")
    assert _shown(user, "messages_today") == "0"
    await sessions.simulate(
        actor, sim.id, from_="4915100001", name="Ana", text="Hi!", media=None, wa_message_id=None
    )

    async def counted() -> bool:  # no reload: message:new recounts the cards
        return _shown(user, "messages_today") not in ("0", None) and (
            _shown(user, "open_conversations") == "1"
        )

    await _eventually(counted)


def _shown(user, key: str) -> str | None:  # type: ignore[no-untyped-def]
    with user:
        (label,) = user.find(marker=f"kpi-{key}-value").elements
        return label.text
