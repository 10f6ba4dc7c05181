"""An in-process "phone": a real Channel adapter for demos, trying the bot, and every test.

It is CONNECTED as soon as it starts. `inject()` plays a contact writing to the linked number;
`sent` is what the bot sent back (the phone's view of the chat). Each send is acknowledged with a
DELIVERED then a READ receipt, delivered *after* `send()` returned, so the caller has recorded
the WhatsApp id before the receipt for it arrives — as with a real network.
`sent` and `typing` keep the last `RECORD_LIMIT` entries: a simulator number tried for weeks in
a desktop app (or the 50,000-message soak) must not grow the process by ~1.5 kB per message.
Files a contact "sent" (`inject(media…)`) stay downloadable for the last `INJECTED_MEDIA_LIMIT`
of them and at most `INJECTED_MEDIA_BYTES` in all; an older one is gone, as WhatsApp's own media
links expire, and `download()` says so.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.channels.events import ChannelEvents
from app.channels.normalize.outcome import media_type_for_mime
from app.domain import (
    Clock,
    MediaType,
    MessageKind,
    NormalizedMessage,
    OutboundMessage,
    Receipt,
    ReceiptKind,
    SessionStatus,
    SystemClock,
)

RECORD_LIMIT = 10_000  # sends and typing changes remembered (the oldest are forgotten)
MEDIA_RECORD_LIMIT = 1 << 20  # bytes of a sent file kept with its record (bigger: none)
INJECTED_MEDIA_LIMIT = 256  # files injected as a contact's messages kept for download
INJECTED_MEDIA_BYTES = 64 << 20  # … and their bytes in all (the newest file is always kept)


@dataclass(frozen=True, slots=True)
class SentMessage:
    wa_message_id: str
    message: OutboundMessage
    timestamp: datetime
    # the file's bytes as the phone received them (the path may be a temporary copy, gone
    # once the send returned: media in S3); None past MEDIA_RECORD_LIMIT
    media: bytes | None = None


def _default_id() -> str:
    return "SIM" + uuid.uuid4().hex[:17].upper()


class SimulatorChannel:
    """A simulated linked number (DESIGN §6: `channel: "simulator"`)."""

    def __init__(
        self,
        events: ChannelEvents,
        *,
        own_jid: str = "15550000000@s.whatsapp.net",
        clock: Clock | None = None,
        id_factory: Callable[[], str] = _default_id,
        auto_receipts: bool = True,
    ) -> None:
        self.events = events
        self.own_jid = own_jid
        self.status = SessionStatus.DISCONNECTED
        self.sent: list[SentMessage] = []
        self.typing: list[tuple[str, bool]] = []
        self._clock = clock or SystemClock()
        self._new_id = id_factory
        self._auto_receipts = auto_receipts
        self._media: dict[str, bytes] = {}  # oldest first (insertion order)
        self._media_bytes = 0
        self._pending: set[asyncio.Task[None]] = set()
        self.fail_with: Exception | None = None  # fault injection: every send raises this

    async def start(self) -> None:
        await self._set_status(SessionStatus.CONNECTED)

    async def stop(self) -> None:
        await self.settle()
        await self._set_status(SessionStatus.DISCONNECTED)

    async def logout(self) -> None:
        await self.stop()
        self._media.clear()
        self._media_bytes = 0

    def qr(self) -> str | None:
        return None

    async def pair(self, phone: str) -> str:
        return "SIMU-LATE"

    async def send(self, message: OutboundMessage) -> str:
        if self.status is not SessionStatus.CONNECTED:
            raise ConnectionError("simulator session is not connected")
        if self.fail_with is not None:
            raise self.fail_with
        wa_id = self._new_id()
        received = message.media_bytes
        if received is None and message.media_path is not None:
            received = await asyncio.to_thread(_read, message.media_path)
        if received is not None and len(received) > MEDIA_RECORD_LIMIT:
            received = None  # a broadcast's 16 MB picture × every recipient is not a record
        self.sent.append(SentMessage(wa_id, message, self._clock.now(), received))
        _keep_last(self.sent)
        if self._auto_receipts:
            task = asyncio.create_task(self._acknowledge(wa_id, message.to))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        return wa_id

    async def download(self, media_ref: str) -> bytes:
        try:
            return self._media[media_ref]
        except KeyError:
            raise KeyError(f"unknown or expired simulator media {media_ref!r}") from None

    def _keep_media(self, ref: str, data: bytes) -> None:
        """Remember an injected file for `download()`, forgetting the oldest past the limits."""
        self._media[ref] = data
        self._media_bytes += len(data)
        while len(self._media) > 1 and (
            len(self._media) > INJECTED_MEDIA_LIMIT or self._media_bytes > INJECTED_MEDIA_BYTES
        ):
            self._media_bytes -= len(self._media.pop(next(iter(self._media))))

    async def set_typing(self, jid: str, on: bool) -> None:
        self.typing.append((jid, on))
        _keep_last(self.typing)

    async def settle(self) -> None:
        """Wait until every receipt scheduled so far has been delivered."""
        while self._pending:
            await asyncio.gather(*list(self._pending))

    async def inject(
        self,
        from_jid: str,
        text: str | None = None,
        *,
        name: str | None = None,
        media_base64: str | None = None,
        media_bytes: bytes | None = None,
        mime: str | None = None,
        filename: str | None = None,
        media_type: MediaType | None = None,
        wa_message_id: str | None = None,
        reply_to_wa_message_id: str | None = None,
        group_jid: str | None = None,
    ) -> NormalizedMessage:
        """Play an inbound message from `from_jid` through `on_message`, and return it."""
        if media_base64 is not None:
            media_bytes = base64.b64decode(media_base64, validate=True)
        fields: dict[str, Any] = {}
        kind = MessageKind.TEXT
        if media_bytes is not None:
            mime = mime or "application/octet-stream"
            ref = f"sim:{uuid.uuid4().hex}"
            self._keep_media(ref, media_bytes)
            kind = MessageKind.MEDIA
            fields = {
                "media_type": media_type or media_type_for_mime(mime),
                "media_ref": ref,
                "media_mime": mime,
                "media_filename": filename,
                "media_size": len(media_bytes),
                "media_sha256": hashlib.sha256(media_bytes).hexdigest(),
                "media_caption": text,
                "is_voice_note": (media_type or media_type_for_mime(mime)) is MediaType.AUDIO,
            }
            text = None
        elif text is None:
            raise ValueError("inject needs text or media")
        message = NormalizedMessage(
            wa_message_id=wa_message_id or self._new_id(),
            jid=from_jid,
            chat_jid=group_jid or from_jid,
            timestamp=self._clock.now(),
            kind=kind,
            text=text,
            reply_to_wa_message_id=reply_to_wa_message_id,
            is_group=group_jid is not None,
            group_jid=group_jid,
            sender_phone_jid=from_jid if from_jid.endswith("@s.whatsapp.net") else None,
            sender_lid=from_jid if from_jid.endswith("@lid") else None,
            push_name=name,
            raw={"simulator": True},
            **fields,
        )
        await self.events.on_message(message)
        return message

    async def report(self, status: SessionStatus, reason: str | None = None) -> None:
        """Fault injection: the number goes BANNED, DISCONNECTED, … as a real one can."""
        self.status = status
        await self.events.on_status(status, reason)

    async def _acknowledge(self, wa_id: str, chat: str) -> None:
        await asyncio.sleep(0)
        for kind in (ReceiptKind.DELIVERED, ReceiptKind.READ):
            await self.events.on_receipt(
                Receipt((wa_id,), kind, self._clock.now(), chat_jid=chat, sender_jid=chat)
            )

    async def _set_status(self, status: SessionStatus) -> None:
        if status is not self.status:
            self.status = status
            await self.events.on_status(status, None)


def _read(path: str) -> bytes | None:
    """What a phone would get: the file's bytes (up to the record's limit), or nothing when it
    is missing."""
    try:
        with open(path, "rb") as f:
            return f.read(MEDIA_RECORD_LIMIT + 1)
    except OSError:
        return None


def _keep_last(record: list[Any]) -> None:
    """Forget the oldest entries past `RECORD_LIMIT`, a quarter at a time (amortised)."""
    if len(record) > RECORD_LIMIT:
        del record[: len(record) - RECORD_LIMIT * 3 // 4]
