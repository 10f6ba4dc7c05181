"""The thread's bubbles show the file itself (thumbnail, player, download link) through the
dashboard's permission-checked media route, name a bot answer's sources, and the list's
preview follows an agent's own reply."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from nicegui import ui
from nicegui.testing.user import User

from app.db.tables import KBChunk, KBDocument, KBFaq, KnowledgeBase, Message
from app.domain import new_id
from tests.integration.api.test_attachments import png
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import Shop, click, eventually, shop

OGG = b"OggS\x00\x02" + bytes(200)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(200)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(40)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _send_file(s: Shop, data: bytes, mime: str, caption: str | None = None) -> None:
    media = {"base64": base64.b64encode(data).decode(), "mimeType": mime}
    await s.services.sessions.simulate(
        s.actor, s.session_id, from_="+4917600000001", name="Ann", text=caption, media=media,
        wa_message_id=None,
    )  # fmt: skip


async def _with_files(s: Shop, n: int) -> Any:
    async def stored() -> Any:
        conv = await s.conversation()
        return conv if sum(bool(m.media_url) for m in conv.messages) >= n else None

    return await eventually(stored)


def _props(user: User, marker: str) -> dict[str, Any]:
    with user:
        return dict(next(iter(user.find(marker=marker).elements)).props)


async def test_image_audio_and_document_bubbles(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await _send_file(s, png(), "image/png", "my receipt")
    await _send_file(s, OGG, "audio/ogg")
    await _send_file(s, PDF, "application/pdf")
    await _send_file(s, MP4, "video/mp4")
    await _send_file(s, WEBP, "image/webp")  # a sticker: drawn like an image
    conv = await _with_files(s, 5)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="media-image")
    await user.should_see("my receipt")
    await user.should_see(marker="media-audio")
    await user.should_see(marker="media-document")
    await user.should_see("Voice note")
    image = next(m for m in conv.messages if m.media_type == "IMAGE")
    src = f"/dashboard/media/{conv.id}/{image.id}"
    with user:
        opens = [e.props["href"] for e in user.find(marker="media-open").elements]
    assert src in opens  # the thumbnail opens the full size in a new tab
    with user:
        audio = next(iter(user.find(marker="media-audio").elements))
        assert isinstance(audio, ui.audio) and audio.props["controls"]
        video = next(iter(user.find(marker="media-video").elements))
        assert isinstance(video, ui.video) and video.props["controls"]
        images = [e.props["src"] for e in user.find(marker="media-image").elements]
    sticker = next(m for m in conv.messages if m.media_type == "STICKER")
    assert {src, f"/dashboard/media/{conv.id}/{sticker.id}"} == set(images)
    pdf = next(m for m in conv.messages if m.media_type == "DOCUMENT")
    await user.should_see(f"· {len(PDF)} B")
    assert _props(user, "media-document")["href"] == f"/dashboard/media/{conv.id}/{pdf.id}"

    # the route serves the signed-in member, nobody else
    r = await user.http_client.get(src)
    assert r.status_code == 200 and r.content == png()
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in r.headers["content-security-policy"]
    r = await user.http_client.get(f"/dashboard/media/{conv.id}/{pdf.id}")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    await dashboard.register("eve@example.com", "Eve", "Elsewhere")
    eve = await dashboard.signed_in("eve@example.com")
    assert (await eve.http_client.get(src)).status_code == 404
    anonymous = dashboard.new_user()
    assert (await anonymous.http_client.get(src)).status_code == 401
    data_dir = dashboard.container.settings.data_dir

    # a cleaned-up file: the bubble says so, the route is a 404, the page still works
    (Path(data_dir) / (image.media_url or "")).unlink()
    other = await dashboard.signed_in("owner@example.com")
    await other.open(f"/dashboard/inbox/{conv.id}")
    await other.should_see(marker="media-gone")
    await other.should_see("Media no longer available")
    await other.should_see(marker="media-document")
    assert (await other.http_client.get(src)).status_code == 404


async def test_a_failed_download_reads_as_not_available(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await _send_file(s, PDF, "application/pdf")
    conv = await _with_files(s, 1)
    doc = next(m for m in conv.messages if m.media_type)
    await Message.update({Message.media_url: None}).where(Message.id == doc.id)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="media-gone")


async def test_sources_show_document_titles_and_faq_questions(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("how much is it?")

    async def replied() -> Any:
        conv = await s.conversation()
        return next((m for m in conv.messages if m.sender_type == "BOT"), None)

    bot = await eventually(replied)
    kb_id, doc_id, chunk_id, faq_id = new_id(), new_id(), new_id(), new_id()
    ws = s.actor.workspace_id
    await KnowledgeBase.insert(KnowledgeBase(id=kb_id, workspace_id=ws, name="kb"))
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
    used = [f"q-{chunk_id}", faq_id, "c-deleted-long-ago"]
    await Message.update({Message.kb_chunks_used: used}).where(Message.id == bot.id)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{(await s.conversation()).id}")
    await user.should_see("3 sources")
    with user:
        tips = [t.text for t in user.find(kind=ui.tooltip).elements]
    assert "Sources: Pricing.pdf · p.3, FAQ: Do you ship abroad?, (deleted source)" in tips
    assert not any(chunk_id in t for t in tips)


async def test_list_preview_follows_the_agents_reply(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("hi")

    async def replied() -> Any:
        conv = await s.conversation()
        return conv if any(m.sender_type == "BOT" for m in conv.messages) else None

    conv = await eventually(replied)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker=f"conversation-{conv.id}")
    user.find(marker="reply-text").type("Parcel left today")
    await click(user, "reply-send")
    await user.should_see(marker="bubble-human")

    def preview() -> list[str]:
        with user:
            row = next(iter(user.find(marker=f"conversation-{conv.id}").elements))
            return [e.text for e in row.descendants() if isinstance(e, ui.label)]

    async def shown() -> bool:
        return "Parcel left today" in preview()

    await eventually(shown)


async def test_an_agents_reply_announces_the_conversation(dashboard: Dashboard) -> None:
    """Seed §12: message:new carries {message, conversation}; conversation:updated follows, so
    a list kept from events (the API websocket) gets the new lastMessageAt too."""
    s = await shop(dashboard)
    await s.simulate("hi")

    async def replied() -> Any:
        conv = await s.conversation()
        return conv if any(m.sender_type == "BOT" for m in conv.messages) else None

    conv = await eventually(replied)
    with dashboard.container.events.subscribe(s.actor.workspace_id or "") as sub:
        sent = await s.services.conversations.send(s.actor, conv.id, "On its way")
        events = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    new = next(e for e in events if e.name == "message:new")
    assert new.data["message"]["id"] == sent.id
    assert new.data["conversation"]["id"] == conv.id
    updated = next(e for e in events if e.name == "conversation:updated")
    stamp = updated.data["conversation"]["lastMessageAt"]
    assert stamp is not None and stamp >= new.data["message"]["createdAt"][:19]
