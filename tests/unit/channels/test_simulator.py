"""The simulator is a real Channel: same events, deterministic enough for pipeline tests."""

from __future__ import annotations

import base64
import hashlib
import itertools
from datetime import UTC, datetime

import pytest

from app.channels import Channel, ChannelEvents, SimulatorChannel
from app.domain import (
    MediaType,
    MessageKind,
    NormalizedMessage,
    OutboundMessage,
    Receipt,
    ReceiptKind,
    SessionStatus,
)


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def log() -> list[object]:
    return []


@pytest.fixture
def sim(log: list[object]) -> SimulatorChannel:
    async def record(*args: object) -> None:
        log.append(args[0] if len(args) == 1 else args)

    counter = itertools.count(1)
    events = ChannelEvents(on_message=record, on_receipt=record, on_status=record)
    return SimulatorChannel(events, clock=FixedClock(), id_factory=lambda: f"SIM{next(counter)}")


def test_is_a_channel(sim: SimulatorChannel) -> None:
    channel: Channel = sim
    assert channel.qr() is None


async def test_connected_at_once_and_text_roundtrip(sim: SimulatorChannel, log: list) -> None:
    await sim.start()
    assert sim.status is SessionStatus.CONNECTED
    assert log == [(SessionStatus.CONNECTED, None)]
    inbound = await sim.inject("5511999990001@s.whatsapp.net", "hi", name="Alice")
    assert log[-1] == inbound and isinstance(inbound, NormalizedMessage)
    assert inbound.kind is MessageKind.TEXT and inbound.push_name == "Alice"
    assert inbound.wa_message_id == "SIM1" and inbound.timestamp.year == 2026

    wa_id = await sim.send(OutboundMessage(to=inbound.chat_jid, text="hello!"))
    assert wa_id == "SIM2" and sim.sent[0].message.text == "hello!"
    await sim.settle()
    receipts = [e for e in log if isinstance(e, Receipt)]
    assert [r.kind for r in receipts] == [ReceiptKind.DELIVERED, ReceiptKind.READ]
    assert all(r.wa_message_ids == ("SIM2",) for r in receipts)


async def test_media_injection_is_downloadable_lazily(sim: SimulatorChannel) -> None:
    await sim.start()
    data = b"OggS fake voice"
    msg = await sim.inject(
        "100000000000001@lid",
        media_base64=base64.b64encode(data).decode(),
        mime="audio/ogg; codecs=opus",
        filename="voice.ogg",
        wa_message_id="WA-1",
    )
    assert msg.wa_message_id == "WA-1" and msg.kind is MessageKind.MEDIA
    assert msg.media_type is MediaType.AUDIO and msg.is_voice_note
    assert msg.media_size == len(data) and msg.media_sha256 == hashlib.sha256(data).hexdigest()
    assert msg.sender_lid == "100000000000001@lid" and msg.sender_phone_jid is None
    assert await sim.download(msg.media_ref or "") == data
    with pytest.raises(KeyError):
        await sim.download("sim:missing")


async def test_typing_pair_group_and_disconnected_send(sim: SimulatorChannel) -> None:
    await sim.start()
    await sim.set_typing("a@s.whatsapp.net", True)
    await sim.set_typing("a@s.whatsapp.net", False)
    assert sim.typing == [("a@s.whatsapp.net", True), ("a@s.whatsapp.net", False)]
    assert await sim.pair("+15550001") == "SIMU-LATE"
    group = await sim.inject("a@s.whatsapp.net", "yo", group_jid="1203@g.us")
    assert group.is_group and group.chat_jid == "1203@g.us" and group.jid == "a@s.whatsapp.net"
    await sim.stop()
    assert sim.status is SessionStatus.DISCONNECTED
    with pytest.raises(ConnectionError):
        await sim.send(OutboundMessage(to="a@s.whatsapp.net", text="x"))


async def test_inject_needs_content(sim: SimulatorChannel) -> None:
    with pytest.raises(ValueError):
        await sim.inject("a@s.whatsapp.net")


async def test_what_the_phone_received_is_bounded(
    sim: SimulatorChannel, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """The 50,000-message soak grew ~1.5 kB per message until the record was bounded: a
    simulator tried for weeks keeps only its last sends, and no big file's bytes."""
    from pathlib import Path

    from app.channels import simulator

    monkeypatch.setattr(simulator, "RECORD_LIMIT", 8)
    monkeypatch.setattr(simulator, "MEDIA_RECORD_LIMIT", 4)
    await sim.start()
    for i in range(20):
        await sim.send(OutboundMessage(to="1@s.whatsapp.net", text=f"m{i}"))
        await sim.set_typing("1@s.whatsapp.net", bool(i % 2))
    assert 6 <= len(sim.sent) <= 8 and sim.sent[-1].message.text == "m19"
    assert 6 <= len(sim.typing) <= 8 and sim.typing[-1] == ("1@s.whatsapp.net", True)
    small, big = Path(str(tmp_path)) / "s.jpg", Path(str(tmp_path)) / "b.jpg"
    small.write_bytes(b"1234")
    big.write_bytes(b"12345")
    for path in (small, big):
        msg = OutboundMessage(to="1@s.whatsapp.net", media_type=MediaType.IMAGE,
                              media_path=str(path))  # fmt: skip
        await sim.send(msg)
    assert [s.media for s in sim.sent[-2:]] == [b"1234", None]
    await sim.settle()


async def test_files_a_contact_sent_are_kept_for_download_within_bounds(
    sim: SimulatorChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected media used to stay in the channel forever (a demo number sent pictures for
    weeks grew the process by each file): the last few files, up to a byte budget, stay
    downloadable; older ones are gone like an expired WhatsApp media link."""
    from app.channels import simulator

    monkeypatch.setattr(simulator, "INJECTED_MEDIA_LIMIT", 3)
    monkeypatch.setattr(simulator, "INJECTED_MEDIA_BYTES", 10)
    await sim.start()
    refs = []
    for i in range(6):
        msg = await sim.inject("1@s.whatsapp.net", media_bytes=b"%d" % i * 3, mime="image/jpeg")
        refs.append(msg.media_ref or "")
    assert [await sim.download(r) for r in refs[-3:]] == [b"333", b"444", b"555"]
    for old in refs[:3]:
        with pytest.raises(KeyError, match="expired"):
            await sim.download(old)
    big = await sim.inject("1@s.whatsapp.net", media_bytes=b"x" * 8, mime="image/jpeg")
    assert await sim.download(big.media_ref or "") == b"x" * 8  # 3 + 8 > 10: only it is left
    with pytest.raises(KeyError):
        await sim.download(refs[-1])
    huge = await sim.inject("1@s.whatsapp.net", media_bytes=b"y" * 50, mime="image/jpeg")
    assert await sim.download(huge.media_ref or "") == b"y" * 50  # the newest is always kept
