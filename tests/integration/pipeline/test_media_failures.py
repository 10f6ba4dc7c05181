"""A file that cannot be stored never costs the message: the write is retried, the team is
told, the customer hears back (an answer to the caption, or a hand-over to a person for a
file alone), the media reference stays on the row — and a later try stores the file once
the folder is writable again. Recovery after a crash keeps the reference too.

Tests run as root, which ignores permission bits: the media folder is made unwritable by a
file standing where the workspace's folder must go.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.db.repos import inbound
from app.db.tables import Message, Notification
from app.domain import MediaType, MessageKind, NormalizedMessage, media_file
from tests.integration.ai.conftest import AIBot, eventually, make_ai_bot

ANN = "+4917600000001"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _media(data: bytes, mime: str, kind: str) -> dict[str, Any]:
    return {"mimeType": mime, "base64": base64.b64encode(data).decode(), "type": kind}


def _block_media_folder(bot: AIBot) -> Path:
    """A file where `media/<workspace>/` must be created: every write there fails."""
    blocker = bot.api.container.settings.media_path / bot.owner.workspace_id
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"not a folder")
    return blocker


async def _inbound(bot: AIBot) -> dict[str, Any]:
    rows = await bot.db(lambda: Message.select().where(Message.direction == "INBOUND"))
    assert len(rows) == 1
    return rows[0]


async def _notes(bot: AIBot, kind: str) -> list[dict[str, Any]]:
    return await bot.db(
        lambda: Notification.select().where(Notification.type == kind).output(load_json=True)
    )


async def test_a_voice_note_that_cannot_be_stored_goes_to_a_person(tmp_path: Path) -> None:
    async for bot in make_ai_bot(tmp_path)(recovery_sweep_s=0.2):
        await _voice_note_unstored_then_stored(bot)


async def _voice_note_unstored_then_stored(bot: AIBot) -> None:
    blocker = _block_media_folder(bot)
    await bot.simulate(ANN, media=_media(b"OggS-voice", "audio/ogg; codecs=opus", "AUDIO"))
    reply = (await bot.bot_messages(ANN))[0]
    conv = await bot.conversation_of(ANN)
    assert conv["status"] == "WAITING_HUMAN"  # a person listens; the customer is told
    assert reply["content"] and "received your file" not in reply["content"]
    (note,) = await _notes(bot, "media_not_saved")
    row = await _inbound(bot)
    assert note["payload"]["messageId"] == row["id"]
    assert "cannot write" in note["payload"]["reason"]
    assert row["media_ref"] and row["media_url"] is None and row["routed_at"]
    assert await _notes(bot, "escalation_needed")

    blocker.unlink()  # the folder is fixed: the next sweep stores the file

    async def stored() -> dict[str, Any] | None:
        row = await _inbound(bot)
        return row if row["media_url"] else None

    row = await eventually(stored, timeout=10)
    path = media_file(bot.api.container.settings.media_path, row["media_url"])
    assert path.read_bytes() == b"OggS-voice"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file


async def test_a_captioned_photo_is_answered_though_its_file_was_not_stored(
    tmp_path: Path,
) -> None:
    async for bot in make_ai_bot(tmp_path)():
        _block_media_folder(bot)
        photo = _media(PNG, "image/png", "IMAGE")
        r = await bot.send(
            "POST",
            f"/whatsapp/sessions/{bot.session_id}/simulate",
            json={"from": ANN, "text": "is this broken?", "media": photo},
        )
        assert r.status_code == 202, r.text
        reply = (await bot.bot_messages(ANN))[0]
        assert "is this broken?" in reply["content"]  # the fake model echoes what it read
        assert (await bot.conversation_of(ANN))["status"] == "OPEN"
        assert len(await _notes(bot, "media_not_saved")) == 1


async def test_recovery_fetches_the_media_of_a_message_a_crash_left(tmp_path: Path) -> None:
    """Stored, never routed, with a photo still to fetch: recovery fetches and shows it."""
    async for bot in make_ai_bot(tmp_path)(recovery_sweep_s=0.2):
        await _crashed_photo_recovered(bot)


async def _crashed_photo_recovered(bot: AIBot) -> None:
    ref = "sim:left-by-a-crash"
    bot.phone._media[ref] = PNG  # the channel can still hand it out
    jid = "4917600000001@s.whatsapp.net"
    msg = NormalizedMessage(
        wa_message_id="CRASHED-PHOTO",
        jid=jid,
        chat_jid=jid,
        timestamp=datetime.now(UTC),
        kind=MessageKind.MEDIA,
        media_type=MediaType.IMAGE,
        media_ref=ref,
        media_mime="image/png",
        sender_phone_jid=jid,
    )
    ws, sid = bot.owner.workspace_id, bot.session_id
    await bot.db(lambda: inbound.persist_inbound(ws, sid, msg, datetime.now(UTC)))
    reply = (await bot.bot_messages(ANN))[0]
    row = await _inbound(bot)
    assert row["routed_at"] and row["media_url"]
    assert media_file(bot.api.container.settings.media_path, row["media_url"]).read_bytes() == PNG
    assert any(call.images for call in bot.model().calls)  # the model saw the photo itself
    assert reply["content"]
