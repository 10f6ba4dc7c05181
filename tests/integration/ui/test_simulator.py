"""The phone simulator through NiceGUI's User simulation: the owner's first visit creates the
simulator session; text and an image go through the real pipeline and the bot's reply shows
live; the conversation is in the inbox; roles that cannot send are turned away."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing.user import User

from app.db.tables import KBChunk, KBDocument, KBFaq, KnowledgeBase, Message
from app.domain import Actor, Role, new_id
from app.events import catalog
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, use_workspace

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_owner_chats_with_the_bot_and_finds_it_in_the_inbox(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
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

    # an image, as a customer would send it: the attach menu's entry opens the photo picker
    picked: list[int] = []

    def run_method(self: ui.upload, name: str, *args: Any, **kw: Any) -> None:
        if name == "pickFiles":  # what opens the browser's file picker
            picked.append(self.id)

    monkeypatch.setattr(ui.upload, "run_method", run_method)
    with user:
        uploads = {k: user.find(marker=f"upload-{k}").elements.pop() for k in KINDS}
        assert all(not u.visible or "hidden" in u.classes for u in uploads.values())
    for entry, kind in (("photo", "image"), ("voice", "voice"), ("document", "document")):
        user.find(marker=f"attach-{entry}").click()
        await eventually(lambda k=kind: _picked(picked, uploads[k]))
    upload = uploads["image"]
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([SmallFileUpload("shelf.png", "image/png", PNG)])

    async def image_stored():  # type: ignore[no-untyped-def]
        page = await services.conversation_queries.list(actor)
        detail = await services.conversation_queries.get(actor, page.items[0].id)
        return detail if any(m.media_type == "IMAGE" for m in detail.messages) else None

    detail = await eventually(image_stored)
    await user.should_see("Image")
    assert detail.contact is not None and detail.contact.name == "Olga (simulator)"

    # a document from its own entry
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    await uploads["document"].handle_uploads(  # type: ignore[attr-defined]
        [SmallFileUpload("prices.pdf", "application/pdf", pdf)]
    )

    async def document_stored():  # type: ignore[no-untyped-def]
        page = await services.conversation_queries.list(actor)
        detail = await services.conversation_queries.get(actor, page.items[0].id)
        return any(m.media_type == "DOCUMENT" for m in detail.messages)

    await eventually(document_stored)

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


async def test_sources_name_titles_and_questions_not_chunk_ids(dashboard: Dashboard) -> None:
    """The phone's source tooltip uses the inbox's resolver: document titles and FAQ
    questions, on a fresh page and on a live update alike."""
    owner = await dashboard.register("owner@example.com", "Olga")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/simulator")
    user.find(marker="sim-text").type("how much is it?")
    await click(user, "sim-send")

    async def answered() -> Any:
        page = await services.conversation_queries.list(actor)
        if not page.items:
            return None
        detail = await services.conversation_queries.get(actor, page.items[0].id)
        return next((m for m in detail.messages if m.sender_type == "BOT"), None)

    reply = await eventually(answered)
    kb_id, doc_id, chunk_id, faq_id = new_id(), new_id(), new_id(), new_id()
    await KnowledgeBase.insert(KnowledgeBase(id=kb_id, workspace_id=actor.workspace_id, name="k"))
    await KBDocument.insert(
        KBDocument(id=doc_id, knowledge_base_id=kb_id, name="Pricing.pdf", type="PDF")
    )
    await KBChunk.insert(
        KBChunk(id=chunk_id, document_id=doc_id, content="9 EUR", qdrant_id=f"q-{chunk_id}",
                chunk_index=0, metadata={"page": 3})
    )  # fmt: skip
    await KBFaq.insert(
        KBFaq(id=faq_id, knowledge_base_id=kb_id, question="Do you ship abroad?", answer="Yes")
    )
    used = [f"q-{chunk_id}", faq_id]
    await Message.update({Message.kb_chunks_used: used}).where(Message.id == reply.id)
    expected = "Sources: Pricing.pdf · p.3, FAQ: Do you ship abroad?"

    # live: the reply is redrawn from a message:updated event
    updated = msgspec.structs.replace(reply, kb_chunks_used=used)
    dashboard.container.events.publish(catalog.message_updated(actor.workspace_id or "", updated))
    await user.should_see("2 sources")
    await eventually(lambda: _tooltip(user, expected))
    # a fresh page
    await user.open("/dashboard/simulator")
    await user.should_see("2 sources")
    assert await _tooltip(user, expected)


async def _tooltip(user: User, text: str) -> bool:
    with user:
        tips = [t.text for t in user.find(kind=ui.tooltip).elements]
    assert not any("q-" in t for t in tips), tips  # never a raw chunk id
    return text in tips


KINDS = ("image", "voice", "document")


async def _picked(picked: list[int], upload: ui.element) -> bool:
    return bool(picked) and picked[-1] == upload.id
