"""NeonizeChannel end to end: real worker process, real protocol, scripted neonize client."""

from __future__ import annotations

import base64
from pathlib import Path

from app.channels import CredentialVault
from app.channels.neonize_worker import DB_NAME
from app.domain import MediaType, MessageKind, OutboundMessage, ReceiptKind, SessionStatus
from tests.integration.channels.conftest import Recorder, eventually


async def test_qr_login_messages_send_receipt_pair_download(
    make_channel, recorder: Recorder, tmp_path: Path, key: bytes
) -> None:
    channel = make_channel("qr,qr2,write_creds,connected,message,image")
    await channel.start()
    await eventually(lambda: len(recorder.messages) == 2)

    # QR: a PNG data URL per code, the newest replacing the old; cleared once connected
    assert len(recorder.qrs) == 2 and recorder.qrs[0] != recorder.qrs[1]
    png = base64.b64decode(recorder.qrs[1].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG")
    statuses = [s for s, _ in recorder.statuses]
    assert statuses[:2] == [SessionStatus.CONNECTING, SessionStatus.QR_READY]
    assert channel.status is SessionStatus.CONNECTED and channel.qr() is None

    # inbound: real protobufs normalized in the worker, LID sender with phone alt
    text, image = recorder.messages
    assert text.text == "hello from fake" and text.kind is MessageKind.TEXT
    assert text.sender_lid == "100000000000001@lid" and text.jid == "5511999990001@s.whatsapp.net"
    assert image.media_type is MediaType.IMAGE and image.media_caption == "pic"
    assert await channel.download(image.media_ref or "") == b"media-at:/v/1"

    # outbound + receipt for the returned id
    wa_id = await channel.send(OutboundMessage(to=text.chat_jid, text="hi there"))
    assert wa_id == "FAKEOUT1"
    await eventually(lambda: bool(recorder.receipts))
    assert recorder.receipts[0].wa_message_ids == ("FAKEOUT1",)
    assert recorder.receipts[0].kind is ReceiptKind.DELIVERED
    photo = OutboundMessage(
        to=text.chat_jid, media_type=MediaType.IMAGE, media_bytes=b"\xff\xd8jpeg", caption="c"
    )
    assert await channel.send(photo) == "FAKEOUT2"
    assert await channel.pair("+55 11 99999-0001") == "FAKE-0001"
    await channel.set_typing(text.chat_jid, True)

    # stop: clean exit, credentials sealed at rest, runtime copy gone
    assert await channel.supervisor.stop() is False
    await channel.stop()
    assert channel.status is SessionStatus.DISCONNECTED
    sealed = tmp_path / "data" / "sess1" / "credentials.sealed"
    assert sealed.exists() and b"device-keys" not in sealed.read_bytes()
    assert not (tmp_path / "run" / "aimy-wa-sess1").exists()
    for path in (tmp_path / "data").rglob("*"):
        assert not path.is_file() or b"device-keys" not in path.read_bytes()
    runtime = await CredentialVault(sealed, tmp_path / "check", key, session_id="sess1").open()
    assert (runtime / DB_NAME).read_text().startswith("device-keys")


async def test_credentials_survive_restarts(make_channel, recorder: Recorder, tmp_path: Path,
                                            key: bytes) -> None:  # fmt: skip
    for _ in range(2):
        channel = make_channel("write_creds,connected")
        await channel.start()
        await eventually(lambda ch=channel: ch.status is SessionStatus.CONNECTED)
        await channel.stop()
    sealed = tmp_path / "data" / "sess1" / "credentials.sealed"
    runtime = await CredentialVault(sealed, tmp_path / "check", key, session_id="sess1").open()
    assert len((runtime / DB_NAME).read_text().splitlines()) == 2


async def test_qr_codes_running_out_start_a_fresh_login(make_channel, recorder: Recorder) -> None:
    channel = make_channel("qr", qr_ttl=0.5)  # one code, then silence: the QR expired
    await channel.start()
    await eventually(lambda: len(recorder.qrs) >= 2)
    assert channel.status is SessionStatus.QR_READY and channel.qr() is not None
    await channel.stop()
    assert channel.supervisor.restarts == []  # a recycled login is not a failure
    assert not any(alert for alert in recorder.alerts)


async def test_logout_forgets_credentials(make_channel, recorder: Recorder, tmp_path: Path) -> None:
    channel = make_channel("write_creds,connected")
    await channel.start()
    await eventually(lambda: channel.status is SessionStatus.CONNECTED)
    await channel.logout()
    assert not (tmp_path / "data" / "sess1" / "credentials.sealed").exists()
    assert recorder.statuses[-1] == (SessionStatus.DISCONNECTED, "logged_out")
