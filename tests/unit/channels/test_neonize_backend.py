"""The worker's backend, in-process: outbound messages become the right neonize protobufs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.channels.neonize_worker.backend import NeonizeBackend, parse_jid
from app.channels.neonize_worker.fake_client import FakeClient
from app.channels.neonize_worker.link import WorkerLink
from app.domain import Location, MediaType, OutboundMessage

TO = "5511999990001@s.whatsapp.net"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[tuple[NeonizeBackend, FakeClient]]:
    ours, theirs = socket.socketpair()
    client = FakeClient(str(tmp_path / "db"), "")
    yield NeonizeBackend(client, WorkerLink(ours), lambda code: None), client
    ours.close()
    theirs.close()


def test_parse_jid() -> None:
    jid = parse_jid("5511999990001:7@s.whatsapp.net")
    assert (jid.User, jid.Device, jid.Server) == ("5511999990001", 7, "s.whatsapp.net")
    assert parse_jid("1203@g.us").Server == "g.us"


def test_every_outbound_kind(backend: tuple[NeonizeBackend, FakeClient]) -> None:
    be, client = backend
    sends = [
        OutboundMessage(to=TO, text="plain"),
        OutboundMessage(to=TO, text="answer", reply_to_wa_message_id="Q1", reply_to_text="q?"),
        OutboundMessage(to=TO, media_type=MediaType.IMAGE, media_bytes=b"img", caption="c"),
        OutboundMessage(to=TO, media_type=MediaType.AUDIO, media_bytes=b"ogg", voice_note=True),
        OutboundMessage(to=TO, media_type=MediaType.VIDEO, media_bytes=b"mp4", caption="v"),
        OutboundMessage(to=TO, media_type=MediaType.DOCUMENT, media_bytes=b"pdf",
                        media_filename="r.pdf", media_mime="application/pdf"),
        OutboundMessage(to=TO, location=Location(-23.5, -46.6, "Office", "Av. Paulista")),
    ]  # fmt: skip
    ids = [be.send(m) for m in sends]
    assert ids == [f"FAKEOUT{i}" for i in range(1, 8)]
    msgs = [m for _, m in client.sent]
    assert msgs[0].conversation == "plain"
    ctx = msgs[1].extendedTextMessage.contextInfo
    assert (ctx.stanzaID, ctx.participant, ctx.quotedMessage.conversation) == ("Q1", TO, "q?")
    assert msgs[2].imageMessage.caption == "c"
    assert msgs[3].audioMessage.PTT is True
    assert msgs[4].videoMessage.caption == "v"
    assert msgs[5].documentMessage.fileName == "r.pdf"
    assert msgs[6].locationMessage.degreesLatitude == pytest.approx(-23.5)
    assert client.sent[0][0].User == "5511999990001"
