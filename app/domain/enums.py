"""The enums of seed §5, by the seed's names and values (they travel over the API as-is)."""

from __future__ import annotations

from enum import StrEnum


class Plan(StrEnum):
    FREE = "FREE"
    PRO = "PRO"
    ENTERPRISE = "ENTERPRISE"


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    AGENT = "AGENT"
    VIEWER = "VIEWER"


class SessionStatus(StrEnum):
    DISCONNECTED = "DISCONNECTED"
    CONNECTING = "CONNECTING"
    QR_READY = "QR_READY"
    CONNECTED = "CONNECTED"
    BANNED = "BANNED"
    ERROR = "ERROR"


class ConversationStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    WAITING_HUMAN = "WAITING_HUMAN"
    PENDING_APPROVAL = "PENDING_APPROVAL"


class Sentiment(StrEnum):
    POSITIVE = "POSITIVE"
    NEUTRAL = "NEUTRAL"
    NEGATIVE = "NEGATIVE"


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class SenderType(StrEnum):
    CONTACT = "CONTACT"
    BOT = "BOT"
    HUMAN = "HUMAN"


class MediaType(StrEnum):
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    DOCUMENT = "DOCUMENT"
    STICKER = "STICKER"
    LOCATION = "LOCATION"
    CONTACT_CARD = "CONTACT_CARD"


class KBDocType(StrEnum):
    PDF = "PDF"
    DOCX = "DOCX"
    TXT = "TXT"
    CSV = "CSV"
    URL = "URL"
    MANUAL = "MANUAL"


class IndexStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    INDEXED = "INDEXED"
    FAILED = "FAILED"


class FlowTrigger(StrEnum):
    FIRST_MESSAGE = "FIRST_MESSAGE"
    KEYWORD = "KEYWORD"
    LABEL_ADDED = "LABEL_ADDED"
    INBOUND_MEDIA = "INBOUND_MEDIA"
    SCHEDULED = "SCHEDULED"
    API = "API"


class BroadcastTarget(StrEnum):
    ALL = "ALL"
    LABEL = "LABEL"
    CONTACTS = "CONTACTS"


class BroadcastStatus(StrEnum):
    """The seed's five, plus PAUSED (by hand: nothing more is queued until resumed) and
    CANCELLED (by hand: the recipients not yet messaged never will be)."""

    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    PAUSED = "PAUSED"
    SENT = "SENT"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class OutboxStatus(StrEnum):
    """State of a queued outbound send (beyond the seed: the pipeline's durable send queue)."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class DeliveryStatus(StrEnum):
    """A webhook delivery (issue 16): PENDING → SENDING → DELIVERED, or back to PENDING for a
    retry, or FAILED after the last attempt (or at once on 410 Gone)."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class MessageStatus(StrEnum):
    """Where a message stands (beyond the seed): inbound ones are RECEIVED; outbound ones go
    PENDING_APPROVAL → (REJECTED | QUEUED) → SENT → DELIVERED → READ, or FAILED."""

    RECEIVED = "RECEIVED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    REJECTED = "REJECTED"
    QUEUED = "QUEUED"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"
