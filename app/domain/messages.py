"""What a channel hands the pipeline (seed §9 NormalizedMessage) and what the pipeline hands back.

Media is never carried inline on the inbound side: `media_ref` is an opaque string that only the
channel which produced it can resolve (`Channel.download(media_ref)`), so a message row can be
persisted first and its media fetched later, or never.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.enums import MediaType


class MessageKind(StrEnum):
    """What the message *is*; the router replies only to `is_conversational` kinds."""

    TEXT = "TEXT"
    MEDIA = "MEDIA"
    LOCATION = "LOCATION"
    CONTACT = "CONTACT"
    REACTION = "REACTION"
    POLL = "POLL"
    REVOKE = "REVOKE"
    EDIT = "EDIT"
    OTHER = "OTHER"


CONVERSATIONAL_KINDS = frozenset(
    {MessageKind.TEXT, MessageKind.MEDIA, MessageKind.LOCATION, MessageKind.CONTACT}
)


class ReceiptKind(StrEnum):
    DELIVERED = "DELIVERED"
    READ = "READ"
    PLAYED = "PLAYED"


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lng: float
    name: str | None = None
    address: str | None = None
    is_live: bool = False


@dataclass(frozen=True, slots=True)
class Reaction:
    """A reaction to an earlier message; an empty emoji means the reaction was removed."""

    target_wa_message_id: str
    emoji: str


@dataclass(frozen=True, slots=True)
class NormalizedMessage:
    """One inbound (or own, `is_from_me`) WhatsApp message, whatever library produced it.

    `jid` is the sender's most stable identity: the phone JID (`…@s.whatsapp.net`) when the
    protocol reveals it, else the LID (`…@lid`). Both are kept in `sender_phone_jid` /
    `sender_lid` so the contact resolver can merge the two identities. `chat_jid` is where a reply
    goes: the group for group messages, the 1:1 chat (possibly a LID) otherwise.
    """

    wa_message_id: str
    jid: str
    chat_jid: str
    timestamp: datetime
    kind: MessageKind = MessageKind.TEXT
    text: str | None = None
    media_type: MediaType | None = None
    media_ref: str | None = None
    media_mime: str | None = None
    media_filename: str | None = None
    media_size: int | None = None
    media_sha256: str | None = None
    media_caption: str | None = None
    media_seconds: int | None = None
    is_voice_note: bool = False
    reply_to_wa_message_id: str | None = None
    reply_to_text: str | None = None
    reply_to_participant: str | None = None
    is_from_me: bool = False
    is_group: bool = False
    group_jid: str | None = None
    sender_lid: str | None = None
    sender_phone_jid: str | None = None
    push_name: str | None = None
    location: Location | None = None
    vcard: str | None = None
    contact_name: str | None = None
    reaction: Reaction | None = None
    target_wa_message_id: str | None = None  # REVOKE / EDIT: the message acted upon
    is_view_once: bool = False
    is_ephemeral: bool = False
    is_forwarded: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("NormalizedMessage.timestamp must be timezone-aware")

    @property
    def body(self) -> str | None:
        """The text a responder should read: the text, else the media caption."""
        return self.text if self.text else self.media_caption

    @property
    def is_conversational(self) -> bool:
        return self.kind in CONVERSATIONAL_KINDS


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A reply or a broadcast item. Exactly one of text, media (bytes or path) or location."""

    to: str
    text: str | None = None
    media_type: MediaType | None = None
    media_bytes: bytes | None = field(default=None, repr=False)
    media_path: str | None = None
    media_mime: str | None = None
    media_filename: str | None = None
    caption: str | None = None
    voice_note: bool = False
    location: Location | None = None
    reply_to_wa_message_id: str | None = None
    reply_to_participant: str | None = None
    reply_to_text: str | None = None

    def __post_init__(self) -> None:
        has_media = self.media_bytes is not None or self.media_path is not None
        if has_media != (self.media_type is not None):
            raise ValueError("media_type and media (bytes or path) go together")
        if sum((self.text is not None, has_media, self.location is not None)) != 1:
            raise ValueError("an outbound message is exactly one of text, media or location")


@dataclass(frozen=True, slots=True)
class Receipt:
    """Delivery/read acknowledgement of messages we sent."""

    wa_message_ids: tuple[str, ...]
    kind: ReceiptKind
    timestamp: datetime
    chat_jid: str | None = None
    sender_jid: str | None = None


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """Which model wrote a bot reply and what it cost; stored on the message row (m0003)."""

    provider: str
    model: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None
