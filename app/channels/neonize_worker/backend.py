"""Adapts a neonize client (real, or the scripted fake) to the worker protocol.

neonize calls our handlers on its own (Go-created) threads; everything here only normalizes and
writes a frame, so handlers are quick and never block whatsmeow's event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from neonize.proto import Neonize_pb2 as pb
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as e2e
from neonize.utils.enum import ChatPresence, ChatPresenceMedia

from app.channels.neonize_worker.link import WorkerLink
from app.channels.neonize_worker.status import StatusChange, from_event
from app.channels.normalize.neonize import (
    decode_media_ref,
    normalize_message_event,
    normalize_receipt_event,
)
from app.domain import MediaType, OutboundMessage

EXIT_STOPPED, EXIT_TERMINAL, EXIT_RETRY = 0, 3, 4
_CONNECTION_EVENTS = (
    pb.Connected, pb.KeepAliveRestored, pb.KeepAliveTimeout, pb.LoggedOut, pb.TemporaryBan,
    pb.ConnectFailure, pb.ClientOutdated, pb.StreamReplaced, pb.StreamError, pb.Disconnected,
)  # fmt: skip


def parse_jid(jid: str) -> pb.JID:
    user, _, server = jid.partition("@")
    device = 0
    if ":" in user:
        user, raw_device = user.split(":", 1)
        device = int(raw_device)
    return pb.JID(User=user, Server=server or "s.whatsapp.net", Device=device, IsEmpty=False)


class NeonizeBackend:
    def __init__(self, client: Any, link: WorkerLink, request_exit: Callable[[int], None]) -> None:
        self.client = client
        self.link = link
        self._request_exit = request_exit
        self._stopping = threading.Event()
        self._socket_up = threading.Event()  # whatsmeow talks to the server (QR shown or logged in)
        client.event.qr(self._on_qr)
        for event_type in _CONNECTION_EVENTS:
            client.event(event_type)(self._on_connection)
        client.event(pb.Message)(self._on_message)
        client.event(pb.Receipt)(self._on_receipt)
        client.event(pb.PairStatus)(self._on_pair_status)

    # ── events ─────────────────────────────────────────────────────────────
    def _on_qr(self, _client: Any, code: bytes) -> None:
        self._socket_up.set()
        self.link.emit("qr", {"code": code.decode() if isinstance(code, bytes) else code})

    def _on_connection(self, _client: Any, event: Any) -> None:
        change = from_event(event)
        if isinstance(event, pb.Connected):
            self._socket_up.set()
        if change is not None:
            self._status(change)

    def _status(self, change: StatusChange) -> None:
        self.link.emit("status", change)
        if change.terminal and not self._stopping.is_set():
            self._request_exit(EXIT_TERMINAL)

    def _on_pair_status(self, _client: Any, event: pb.PairStatus) -> None:
        ok = event.Status == pb.PairStatus.SUCCESS
        self.link.emit("log", {"level": "info" if ok else "warning", "text": f"paired: {ok}"})

    def _on_message(self, _client: Any, event: pb.Message) -> None:
        try:
            self.link.emit("message", normalize_message_event(event))
        except Exception as exc:  # one odd message must not take the session down
            self.link.emit("log", {"level": "error", "text": f"normalize failed: {exc!r}"})

    def _on_receipt(self, _client: Any, event: pb.Receipt) -> None:
        receipt = normalize_receipt_event(event)
        if receipt is not None:
            self.link.emit("receipt", receipt)

    # ── commands ───────────────────────────────────────────────────────────
    def connect(self) -> None:
        """Run the (blocking) neonize connect loop on its own thread."""

        def run() -> None:
            try:
                self.client.connect()
                error = None
            except Exception as exc:
                error = repr(exc)
            if not self._stopping.is_set():  # connect returned on its own: let the parent retry
                self.link.emit("log", {"level": "warning", "text": f"connect ended: {error}"})
                self._request_exit(EXIT_RETRY)

        threading.Thread(target=run, name="neonize-connect", daemon=True).start()

    def pair(self, phone: str, *, wait_s: float = 30.0) -> str:
        """A pairing code for `phone`; waits until whatsmeow has reached the server."""
        if not self._socket_up.wait(wait_s):
            raise TimeoutError("not connected to WhatsApp yet; try again")
        digits = "".join(ch for ch in phone if ch.isdigit())
        return str(self.client.PairPhone(digits, True))

    def send(self, message: OutboundMessage) -> str:
        to = parse_jid(message.to)
        response = self.client.send_message(to, self._build(message))
        return str(response.ID)

    def _build(self, m: OutboundMessage) -> Any:
        c = self.client
        data: Any = m.media_bytes if m.media_bytes is not None else m.media_path
        match m.media_type:
            case None if m.location is not None:
                loc = m.location
                return e2e.Message(locationMessage=e2e.LocationMessage(
                    degreesLatitude=loc.lat, degreesLongitude=loc.lng,
                    name=loc.name or "", address=loc.address or ""))  # fmt: skip
            case None:
                return self._text(m)
            case MediaType.IMAGE:
                return c.build_image_message(data, caption=m.caption)
            case MediaType.VIDEO:
                return c.build_video_message(data, caption=m.caption)
            case MediaType.AUDIO:
                return c.build_audio_message(data, ptt=m.voice_note)
            case MediaType.DOCUMENT:
                return c.build_document_message(
                    data, caption=m.caption, filename=m.media_filename, mimetype=m.media_mime
                )
            case MediaType.STICKER:
                return c.build_sticker_message(data)
        raise ValueError(f"cannot send media type {m.media_type}")

    @staticmethod
    def _text(m: OutboundMessage) -> e2e.Message:
        if m.reply_to_wa_message_id is None:
            return e2e.Message(conversation=m.text or "")
        ctx = e2e.ContextInfo(
            stanzaID=m.reply_to_wa_message_id,
            participant=m.reply_to_participant or m.to,
            quotedMessage=e2e.Message(conversation=m.reply_to_text or ""),
        )
        return e2e.Message(
            extendedTextMessage=e2e.ExtendedTextMessage(text=m.text, contextInfo=ctx)
        )

    def download(self, media_ref: str) -> bytes:
        return bytes(self.client.download_any(decode_media_ref(media_ref)))

    def typing(self, jid: str, on: bool) -> None:
        state = ChatPresence.CHAT_PRESENCE_COMPOSING if on else ChatPresence.CHAT_PRESENCE_PAUSED
        self.client.send_chat_presence(
            parse_jid(jid), state, ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT
        )

    def logout(self) -> None:
        self._stopping.set()
        self.client.logout()

    def stop(self) -> None:
        """Disconnect. May hang inside whatsmeow — the parent SIGKILLs us after a grace period."""
        self._stopping.set()
        self.client.disconnect()
