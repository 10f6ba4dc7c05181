"""What a raw event normalizes to: a chat message, a receipt, or an explicitly ignored event."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import MediaType, NormalizedMessage, Receipt


@dataclass(frozen=True, slots=True)
class NonMessage:
    """Not a chat message (presence, call, group change, label, status update…): not routed."""

    event: str
    detail: str | None = None


Normalized = NormalizedMessage | Receipt | NonMessage


def media_type_for_mime(mime: str | None) -> MediaType:
    """Guess the WhatsApp media kind of a file from its MIME type."""
    mime = (mime or "").split(";", 1)[0].strip().lower()
    if mime == "image/webp":
        return MediaType.STICKER
    major = mime.split("/", 1)[0]
    return {"image": MediaType.IMAGE, "audio": MediaType.AUDIO, "video": MediaType.VIDEO}.get(
        major, MediaType.DOCUMENT
    )


def event_key(name: str) -> str:
    """`chats.update`, `chatsUpdate`, `chats_update` → `chatsupdate`."""
    return "".join(ch for ch in name.lower() if ch.isalnum())
