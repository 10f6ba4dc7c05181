"""Domain message types and their trip over the worker protocol."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.channels.wire import (
    MAX_FRAME,
    ProtocolError,
    bytes_from_wire,
    encode_frame,
    message_from_wire,
    outbound_from_wire,
    read_frame,
    receipt_from_wire,
    to_wire,
)
from app.domain import (
    Location,
    MediaType,
    MessageKind,
    NormalizedMessage,
    OutboundMessage,
    Reaction,
    Receipt,
    ReceiptKind,
)

NOW = datetime(2026, 1, 31, 3, 21, tzinfo=UTC)


def test_outbound_is_exactly_one_thing() -> None:
    OutboundMessage(to="a@s.whatsapp.net", text="hi")
    OutboundMessage(to="a@s.whatsapp.net", location=Location(1.0, 2.0))
    OutboundMessage(to="a", media_type=MediaType.IMAGE, media_path="/tmp/x.jpg")
    with pytest.raises(ValueError):
        OutboundMessage(to="a")
    with pytest.raises(ValueError):
        OutboundMessage(to="a", text="hi", location=Location(1.0, 2.0))
    with pytest.raises(ValueError):
        OutboundMessage(to="a", media_bytes=b"x")  # no media_type
    with pytest.raises(ValueError):
        OutboundMessage(to="a", text="x", media_type=MediaType.IMAGE)


def test_timestamps_must_be_aware() -> None:
    with pytest.raises(ValueError):
        NormalizedMessage("id", "a@s.whatsapp.net", "a@s.whatsapp.net", datetime(2026, 1, 1))


def test_body_and_conversational() -> None:
    caption = NormalizedMessage("i", "a", "a", NOW, kind=MessageKind.MEDIA, media_caption="c")
    assert caption.body == "c" and caption.is_conversational
    reaction = NormalizedMessage("i", "a", "a", NOW, kind=MessageKind.REACTION)
    assert not reaction.is_conversational


def test_normalized_message_roundtrip() -> None:
    original = NormalizedMessage(
        "WA1", "5511@s.whatsapp.net", "1203@g.us", NOW, kind=MessageKind.LOCATION,
        media_type=MediaType.LOCATION, location=Location(-23.5, -46.6, "Office"),
        reaction=Reaction("WA0", "👍"), is_group=True, group_jid="1203@g.us",
        raw={"info": {"ID": "WA1"}},
    )  # fmt: skip
    assert message_from_wire(to_wire(original)) == original


def test_outbound_and_receipt_roundtrip() -> None:
    media = OutboundMessage(
        to="a@s.whatsapp.net", media_type=MediaType.DOCUMENT, media_bytes=b"\x00%PDF\xff",
        media_filename="r.pdf", media_mime="application/pdf", caption="report",
    )  # fmt: skip
    assert outbound_from_wire(to_wire(media)) == media
    receipt = Receipt(("A", "B"), ReceiptKind.READ, NOW, chat_jid="a@s.whatsapp.net")
    assert receipt_from_wire(to_wire(receipt)) == receipt
    assert bytes_from_wire(to_wire(b"\x00\x01")) == b"\x00\x01"


async def test_frames() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(encode_frame({"event": "log", "data": {"text": "é"}}) + b"\x00\x00")
    reader.feed_eof()
    assert await read_frame(reader) == {"event": "log", "data": {"text": "é"}}
    assert await read_frame(reader) is None  # truncated header = peer gone
    oversized = asyncio.StreamReader()
    oversized.feed_data((MAX_FRAME + 1).to_bytes(4, "big"))
    with pytest.raises(ProtocolError):
        await read_frame(oversized)


def test_seed_backoff_schedule() -> None:
    from app.channels import SEED_BACKOFF, backoff_delay

    assert [backoff_delay(SEED_BACKOFF, n) for n in range(1, 8)] == [2, 5, 15, 30, 60, 60, 60]
    with pytest.raises(ValueError):
        backoff_delay(SEED_BACKOFF, 0)
