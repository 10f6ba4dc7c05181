"""The inbox's "New conversation" (issue 15.4): with a first message it is sent first and the
thread opens; without one the conversation opens empty and the agent's first message there is
sending first too (cold, within the budget); a bad number says why."""

from __future__ import annotations

from typing import Any

from app.db.tables import Outbox
from app.domain import Role
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, shop, use_workspace


def _value(user: Any, marker: str) -> Any:
    with user:
        return next(iter(user.find(marker=marker).elements))


async def test_new_conversation_with_and_without_a_first_message(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/inbox")
    await click(user, "new-conversation")
    await user.should_see(marker="new-conversation-dialog")
    user.find(marker="new-phone").type("0176 1234567")
    user.find(marker="new-text").type("Hello from the shop")
    user.find(marker="new-start").click()
    await user.should_see("has no country code")
    _value(user, "new-phone").value = "+49 176 1234 5678"
    user.find(marker="new-start").click()
    await user.should_see(marker="thread-name")
    await user.should_see("Hello from the shop")
    phone = dashboard.container.channels.get(s.session_id)

    async def sent() -> bool:
        return any(m.message.text == "Hello from the shop" for m in phone.sent)

    await eventually(sent)

    await user.open("/dashboard/inbox")
    await click(user, "new-conversation")
    await user.should_see(marker="new-phone")
    user.find(marker="new-phone").type("+4917612345679")
    user.find(marker="new-start").click()
    await user.should_see(marker="thread-name")
    user.find(marker="reply-text").type("Your parcel is ready")
    await click(user, "reply-send")

    async def queued() -> list[dict[str, Any]]:
        return await Outbox.select(Outbox.kind, Outbox.cold).where(
            Outbox.jid == "4917612345679@s.whatsapp.net"
        )

    assert await eventually(queued) == [{"kind": "send_first", "cold": True}]


async def test_a_viewer_cannot_start_conversations(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await dashboard.member(s.owner, "viewer@example.com", Role.VIEWER)
    user = await dashboard.signed_in("viewer@example.com")
    assert s.owner.workspace is not None
    await use_workspace(user, s.owner.workspace.id)
    await user.open("/dashboard/inbox")
    await user.should_see(marker="conversation-list")
    await user.should_not_see(marker="new-conversation")
