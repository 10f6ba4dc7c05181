"""A human agent sends a file (multipart) through the conversations API: sniffed from its
bytes, stored under the data dir, sent by the dispatcher with the text as caption."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    chunks = chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


async def _conversation(bot: Bot) -> str:
    await bot.simulate(ANN, "hello")
    await eventually(lambda: _n_sent(bot, 1))
    return (await bot.conversation_of(ANN))["id"]


async def _n_sent(bot: Bot, n: int) -> bool:
    return len(bot.phone.sent) >= n


async def test_image_with_caption_is_stored_and_sent(bot: Bot) -> None:
    conv = await _conversation(bot)
    data = png()
    r = await bot.send(
        "POST",
        f"/conversations/{conv}/messages",
        files={"file": ("photo.jpg", data, "application/octet-stream")},  # name/claim ignored
        data={"text": "your invoice photo"},
    )
    assert r.status_code == 201, r.text
    message = r.json()
    assert message["mediaType"] == "IMAGE" and message["mediaCaption"] == "your invoice photo"
    assert message["mediaUrl"].startswith("media/") and message["mediaUrl"].endswith(".png")
    stored = Path(bot.api.container.settings.data_dir) / message["mediaUrl"]
    assert stored.read_bytes() == data  # the layout of inbound media: <data>/media/<ws>/<id>.png

    await eventually(lambda: _n_sent(bot, 2))
    out = bot.phone.sent[-1].message
    assert out.media_type is not None and out.media_type.value == "IMAGE"
    assert out.media_mime == "image/png" and out.caption == "your invoice photo"
    assert out.text is None and Path(out.media_path or "").read_bytes() == data
    assert out.media_filename == "photo.jpg" and out.to.startswith(ANN.lstrip("+"))
    thread = await bot.conversation_of(ANN)
    row = next(m for m in thread["messages"] if m["id"] == message["id"])
    assert row["mediaType"] == "IMAGE" and row["senderType"] == "HUMAN"

    async def sent() -> bool:
        rows = (await bot.conversation_of(ANN))["messages"]
        return next(m for m in rows if m["id"] == message["id"])["status"] != "QUEUED"

    await eventually(sent)
    # JSON text sends still work beside multipart
    r = await bot.send("POST", f"/conversations/{conv}/messages", json={"text": "plain"})
    assert r.status_code == 201 and r.json()["content"] == "plain" and r.json()["mediaType"] is None


async def test_bad_and_oversized_files_are_refused(bot: Bot) -> None:
    conv = await _conversation(bot)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
    for name, data in (("tool.exe", exe), ("x.png", b"\x00\x01\x02 not an image at all"),
                       ("empty.pdf", b"")):  # fmt: skip
        r = await bot.send("POST", f"/conversations/{conv}/messages", files={"file": (name, data)})
        assert r.status_code == 422, (name, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"]
    assert "unsupported file type" in r.json()["detail"] or "empty" in r.json()["detail"]
    big = b"%PDF-1.4\n" + b"0" * (16 * 1024 * 1024)
    r = await bot.send("POST", f"/conversations/{conv}/messages", files={"file": ("b.pdf", big)})
    assert r.status_code in (413, 422) and "too large" in r.json()["detail"]
    r = await bot.send("POST", f"/conversations/{conv}/messages", data={"text": "no file"})
    assert r.status_code in (400, 422)
    media = Path(bot.api.container.settings.data_dir) / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert len(bot.phone.sent) == 1  # only the bot's echo of "hello"
