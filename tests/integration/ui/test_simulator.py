"""The phone simulator through NiceGUI's User simulation: the owner's first visit creates the
simulator session; text and an image go through the real pipeline and the bot's reply shows
live; the conversation is in the inbox; roles that cannot send are turned away."""

from __future__ import annotations

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload

from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, use_workspace

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_owner_chats_with_the_bot_and_finds_it_in_the_inbox(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", "Olga")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/simulator")
    await user.should_see(marker="phone")
    sessions = await services.sessions.list(actor)
    assert [s.channel for s in sessions] == ["simulator"]  # created on the first visit

    user.find(marker="sim-text").type("do you deliver?")
    await click(user, "sim-send")
    await user.should_see(marker="bubble-contact")
    await user.should_see(marker="bubble-bot")  # the reply, live from the bus
    await user.should_see(marker="confidence")

    # an image, as a customer would send it
    with user:
        (upload,) = user.find(marker="upload-image").elements
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([SmallFileUpload("shelf.png", "image/png", PNG)])

    async def image_stored():  # type: ignore[no-untyped-def]
        page = await services.conversation_queries.list(actor)
        detail = await services.conversation_queries.get(actor, page.items[0].id)
        return detail if any(m.media_type == "IMAGE" for m in detail.messages) else None

    detail = await eventually(image_stored)
    await user.should_see("Image")
    assert detail.contact is not None and detail.contact.name == "Olga (simulator)"

    await user.open("/dashboard/inbox")
    await user.should_see("Olga (simulator)")
    await user.open("/dashboard/simulator")  # a second visit reuses the session and thread
    await user.should_see("do you deliver?")
    assert len(await services.sessions.list(actor)) == 1


async def test_viewer_cannot_simulate_and_an_agent_needs_an_owner_first(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com", "Olga")
    assert owner.workspace is not None
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    viewer = await dashboard.signed_in("viewer@example.com")
    await use_workspace(viewer, owner.workspace.id)
    await viewer.open("/dashboard/simulator")
    await viewer.should_see(marker="forbidden")
    agent = await dashboard.signed_in("agent@example.com")
    await use_workspace(agent, owner.workspace.id)
    await agent.open("/dashboard/simulator")
    await agent.should_see(marker="no-simulator")
    await agent.should_not_see(marker="phone")
