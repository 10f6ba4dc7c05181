"""The reply bar's paperclip: an uploaded file goes out through the real pipeline with the typed
text as caption; a file WhatsApp cannot carry is refused under the bar, nothing is sent."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing.user import User

from app.channels import SimulatorChannel
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import eventually, shop

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(user: User, name: str, data: bytes) -> None:
    with user:
        element = next(iter(user.find(marker="reply-upload").elements))
        assert isinstance(element, ui.upload)
        file = ui.upload.SmallFileUpload(name=name, content_type="", _data=data)
        asyncio.get_running_loop().create_task(element.handle_uploads([file]))


async def test_upload_in_reply_bar_sends_the_file_with_the_caption(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    await s.simulate("please send the invoice")

    async def replied():  # type: ignore[no-untyped-def]
        conv = await s.conversation()
        return conv if any(m.sender_type == "BOT" for m in conv.messages) else None

    conv = await eventually(replied)
    phone = dashboard.container.channels.get(s.session_id)
    assert isinstance(phone, SimulatorChannel)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="reply-attach")

    _upload(user, "tool.exe", b"MZ\x90\x00" + bytes(range(200)))
    await user.should_see("unsupported file type")
    await user.should_see(marker="reply-error")

    user.find(marker="reply-text").type("Here it is")
    _upload(user, "invoice.pdf", PDF)

    async def sent():  # type: ignore[no-untyped-def]
        return [x.message for x in phone.sent if x.message.media_type is not None]

    (out,) = await eventually(sent)
    assert out.media_mime == "application/pdf" and out.caption == "Here it is"
    assert out.media_filename == "invoice.pdf" and out.media_type.value == "DOCUMENT"
    got = await s.conversation()
    (row,) = [m for m in got.messages if m.media_type is not None]
    assert row.sender_type == "HUMAN" and row.media_caption == "Here it is"
    await user.should_see(marker="bubble-human")
    with user:
        assert next(iter(user.find(marker="reply-text").elements)).value == ""
