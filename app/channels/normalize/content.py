"""Read the content of a waE2E `Message` (as JSON) — the part every library shares.

Wrappers (ephemeral, view-once v1/v2/extension, document-with-caption, edited, lottie sticker,
group-mentioned) are unwrapped recursively, recording the flags they imply. The first content
field found decides the kind; bookkeeping fields (`messageContextInfo`,
`senderKeyDistributionMessage`) ride along with real content and are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.channels.normalize.fields import (
    JsonMap,
    get,
    get_map,
    get_str,
    sha256_hex,
    to_bool,
    to_float,
    to_int,
)
from app.domain import Location, MediaType, MessageKind, Reaction

# (wrapper field, flag it sets)
_WRAPPERS = (
    ("ephemeralMessage", "ephemeral"),
    ("viewOnceMessage", "view_once"),
    ("viewOnceMessageV2", "view_once"),
    ("viewOnceMessageV2Extension", "view_once"),
    ("documentWithCaptionMessage", None),
    ("editedMessage", None),
    ("lottieStickerMessage", None),
    ("groupMentionedMessage", None),
    ("botInvokeMessage", None),
)
_MEDIA = {
    "imageMessage": MediaType.IMAGE,
    "videoMessage": MediaType.VIDEO,
    "ptvMessage": MediaType.VIDEO,
    "audioMessage": MediaType.AUDIO,
    "documentMessage": MediaType.DOCUMENT,
    "stickerMessage": MediaType.STICKER,
}
_POLLS = (
    "pollCreationMessage", "pollCreationMessageV2", "pollCreationMessageV3",
    "pollCreationMessageV4", "pollCreationMessageV5", "pollCreationMessageV6",
    "pollUpdateMessage",
)  # fmt: skip
_REVOKE, _EDIT = ("REVOKE", 0), ("MESSAGE_EDIT", 14)

# Given the media field name and its JSON, return an opaque ref the channel can download.
MediaRefFactory = Callable[[str, JsonMap], str | None]


@dataclass(slots=True)
class Content:
    """The content fields of a NormalizedMessage, before sender/chat/time are known."""

    kind: MessageKind = MessageKind.OTHER
    fields: dict[str, Any] = field(default_factory=dict)


def _unwrap(message: JsonMap, flags: dict[str, bool], depth: int = 0) -> JsonMap:
    for name, flag in _WRAPPERS:
        inner = get_map(get_map(message, name), "message")
        if inner is not None and depth < 8:
            if flag:
                flags[flag] = True
            return _unwrap(inner, flags, depth + 1)
    return message


def quoted_text(message: JsonMap | None) -> str | None:
    """Best-effort text of a (quoted) message: its text, caption, or a name."""
    if message is None:
        return None
    message = _unwrap(message, {})
    if text := get_str(message, "conversation"):
        return text
    for name in ("extendedTextMessage", *_MEDIA, "locationMessage", "contactMessage"):
        sub = get_map(message, name)
        if sub is not None:
            return get_str(sub, "text", "caption", "name", "displayName", "fileName")
    return None


def _context(sub: JsonMap | None) -> dict[str, Any]:
    ctx = get_map(sub, "contextInfo")
    if ctx is None:
        return {}
    out: dict[str, Any] = {"is_forwarded": to_bool(get(ctx, "isForwarded"))}
    if stanza := get_str(ctx, "stanzaId"):
        out["reply_to_wa_message_id"] = stanza
        out["reply_to_participant"] = get_str(ctx, "participant")
        out["reply_to_text"] = quoted_text(get_map(ctx, "quotedMessage"))
    return out


def _protocol(sub: JsonMap) -> Content:
    kind = get(sub, "type")
    target = get_str(get_map(sub, "key"), "id")
    if kind in _REVOKE:
        return Content(MessageKind.REVOKE, {"target_wa_message_id": target})
    if kind in _EDIT:
        edited = get_map(sub, "editedMessage")
        return Content(
            MessageKind.EDIT, {"target_wa_message_id": target, "text": quoted_text(edited)}
        )
    return Content(MessageKind.OTHER, {})


def _media(name: str, sub: JsonMap, ref: MediaRefFactory) -> Content:
    media_type = _MEDIA[name]
    fields = {
        "media_type": media_type,
        "media_ref": ref(name, sub),
        "media_mime": get_str(sub, "mimetype"),
        "media_filename": get_str(sub, "fileName"),
        "media_size": to_int(get(sub, "fileLength")),
        "media_sha256": sha256_hex(get(sub, "fileSha256")),
        "media_caption": get_str(sub, "caption"),
        "media_seconds": to_int(get(sub, "seconds")),
        "is_voice_note": media_type is MediaType.AUDIO and to_bool(get(sub, "ptt")),
        "is_view_once": to_bool(get(sub, "viewOnce")),
        **_context(sub),
    }
    return Content(MessageKind.MEDIA, fields)


def read_content(message: JsonMap | None, media_ref: MediaRefFactory) -> Content:
    """Classify a waE2E message and extract its content fields."""
    if message is None:
        return Content()
    flags: dict[str, bool] = {}
    message = _unwrap(message, flags)
    content = _read(message, media_ref)
    if flags.get("view_once"):
        content.fields["is_view_once"] = True
    if flags.get("ephemeral"):
        content.fields["is_ephemeral"] = True
    return content


def _read(message: JsonMap, ref: MediaRefFactory) -> Content:
    if (sub := get_map(message, "protocolMessage")) is not None:
        return _protocol(sub)
    if (sub := get_map(message, "reactionMessage")) is not None:
        target = get_str(get_map(sub, "key"), "id") or ""
        reaction = Reaction(target, get_str(sub, "text") or "")
        return Content(MessageKind.REACTION, {"reaction": reaction})
    if (text := get_str(message, "conversation")) is not None:
        return Content(MessageKind.TEXT, {"text": text})
    if (sub := get_map(message, "extendedTextMessage")) is not None:
        return Content(MessageKind.TEXT, {"text": get_str(sub, "text"), **_context(sub)})
    for name in _MEDIA:
        if (sub := get_map(message, name)) is not None:
            return _media(name, sub, ref)
    for name, live in (("locationMessage", False), ("liveLocationMessage", True)):
        if (sub := get_map(message, name)) is not None:
            loc = Location(
                lat=to_float(get(sub, "degreesLatitude")) or 0.0,
                lng=to_float(get(sub, "degreesLongitude")) or 0.0,
                name=get_str(sub, "name"),
                address=get_str(sub, "address"),
                is_live=live or to_bool(get(sub, "isLive")),
            )
            return Content(MessageKind.LOCATION, {"location": loc, **_context(sub)})
    if (sub := get_map(message, "contactMessage")) is not None:
        fields = {"vcard": get_str(sub, "vcard"), "contact_name": get_str(sub, "displayName")}
        return Content(MessageKind.CONTACT, {**fields, **_context(sub)})
    if (sub := get_map(message, "contactsArrayMessage")) is not None:
        cards = [c for c in get(sub, "contacts") or [] if isinstance(c, dict)]
        vcards = "\n".join(v for c in cards if (v := get_str(c, "vcard")))
        shown = get_str(sub, "displayName") or (get_str(cards[0], "displayName") if cards else None)
        return Content(MessageKind.CONTACT, {"vcard": vcards or None, "contact_name": shown})
    for name in _POLLS:
        if (sub := get_map(message, name)) is not None:
            return Content(MessageKind.POLL, {"text": get_str(sub, "name")})
    return Content()


def media_type_of(content: Content) -> MediaType | None:
    """The seed's mediaType for a content: media kinds, plus LOCATION and CONTACT_CARD."""
    if content.kind is MessageKind.LOCATION:
        return MediaType.LOCATION
    if content.kind is MessageKind.CONTACT:
        return MediaType.CONTACT_CARD
    return content.fields.get("media_type")
