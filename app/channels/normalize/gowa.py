"""GOWA (go-whatsapp-web-multidevice, a whatsmeow gateway) webhooks → normalized outcomes.

GOWA flattens messages into `{id, chat_id, from, from_lid, body, image|video|audio|…}`; media is
either a path string on the gateway or `{path|url, caption, filename}`.
"""

from __future__ import annotations

from typing import Any

from app.channels.normalize.assemble import assemble
from app.channels.normalize.content import Content
from app.channels.normalize.fields import (
    JsonMap,
    get,
    get_map,
    get_str,
    timestamp,
    to_bool,
    to_float,
)
from app.channels.normalize.outcome import NonMessage, Normalized, event_key
from app.domain import Location, MediaType, MessageKind, Reaction, Receipt, ReceiptKind, utcnow

_MEDIA = {
    "image": MediaType.IMAGE,
    "video": MediaType.VIDEO,
    "video_note": MediaType.VIDEO,
    "audio": MediaType.AUDIO,
    "ptt": MediaType.AUDIO,
    "document": MediaType.DOCUMENT,
    "sticker": MediaType.STICKER,
}
_RECEIPTS = {
    "delivered": ReceiptKind.DELIVERED,
    "read": ReceiptKind.READ,
    "played": ReceiptKind.PLAYED,
}


def _media(payload: JsonMap) -> Content | None:
    for name, media_type in _MEDIA.items():
        value = get(payload, name)
        if value is None:
            continue
        spec = value if isinstance(value, dict) else {"path": value}
        return Content(
            MessageKind.MEDIA,
            {
                "media_type": media_type,
                "media_ref": get_str(spec, "path", "url"),
                "media_mime": get_str(spec, "mime_type", "mimetype"),
                "media_filename": get_str(spec, "filename", "file_name"),
                "media_caption": get_str(spec, "caption") or get_str(payload, "body"),
                "is_voice_note": name == "ptt",
            },
        )
    return None


def _location(payload: JsonMap) -> Content | None:
    for name, live in (("location", False), ("live_location", True)):
        if (spec := get_map(payload, name)) is not None:
            loc = Location(
                lat=to_float(get(spec, "degreesLatitude", "latitude")) or 0.0,
                lng=to_float(get(spec, "degreesLongitude", "longitude")) or 0.0,
                name=get_str(spec, "name"),
                address=get_str(spec, "address"),
                is_live=live,
            )
            return Content(MessageKind.LOCATION, {"location": loc})
    return None


def _contact(payload: JsonMap) -> Content | None:
    cards = [get_map(payload, "contact")] if get_map(payload, "contact") else []
    cards += [c for c in get(payload, "contacts_array") or [] if isinstance(c, dict)]
    if not cards:
        return None
    vcards = "\n".join(v for c in cards if c and (v := get_str(c, "vcard")))
    name = get_str(cards[0], "displayName", "display_name")
    return Content(MessageKind.CONTACT, {"vcard": vcards or None, "contact_name": name})


def _content(payload: JsonMap) -> Content:
    content = _media(payload) or _location(payload) or _contact(payload)
    if content is None:
        body = get_str(payload, "body")
        content = Content(MessageKind.TEXT if body else MessageKind.OTHER, {"text": body})
    if replied := get_str(payload, "replied_to_id"):
        content.fields["reply_to_wa_message_id"] = replied
        content.fields["reply_to_text"] = get_str(payload, "quoted_body")
    content.fields["is_view_once"] = to_bool(get(payload, "view_once"))
    content.fields["is_forwarded"] = to_bool(get(payload, "forwarded"))
    return content


def normalize_gowa_message(payload: JsonMap, content: Content | None = None) -> Normalized:
    wa_id = get_str(payload, "id")
    if wa_id is None:
        return NonMessage("message", "payload carries no message")
    return assemble(
        content or _content(payload),
        wa_message_id=wa_id,
        chat_jid=get_str(payload, "chat_id") or get_str(payload, "from"),
        senders=(get_str(payload, "from"), get_str(payload, "from_lid")),
        timestamp=timestamp(get(payload, "timestamp")),
        is_from_me=to_bool(get(payload, "is_from_me")),
        push_name=get_str(payload, "from_name", "sender_display_name"),
        raw=dict(payload),
    )


def _receipt(envelope: JsonMap, payload: JsonMap) -> Normalized:
    kind = _RECEIPTS.get((get_str(payload, "receipt_type") or "").lower())
    ids = tuple(str(i) for i in get(payload, "ids") or [])
    if kind is None or not ids:
        return NonMessage("message.ack", get_str(payload, "receipt_type"))
    return Receipt(
        ids,
        kind,
        timestamp(get(envelope, "timestamp")) or utcnow(),
        chat_jid=get_str(payload, "chat_id"),
        sender_jid=get_str(payload, "from"),
    )


def normalize_gowa(envelope: Any) -> list[Normalized]:
    """One GOWA webhook envelope `{event, device_id, payload}`."""
    event = get_str(envelope, "event") or ""
    payload = get_map(envelope, "payload") or {}
    match event_key(event):
        case "message":
            return [normalize_gowa_message(payload)]
        case "messageack":
            return [_receipt(envelope, payload)]
        case "messagereaction":
            target = get_str(payload, "reacted_message_id") or ""
            emoji = get_str(payload, "reaction") or ""
            content = Content(MessageKind.REACTION, {"reaction": Reaction(target, emoji)})
            return [normalize_gowa_message(payload, content)]
        case "messagerevoked":
            revoked = get_str(payload, "revoked_message_id")
            content = Content(MessageKind.REVOKE, {"target_wa_message_id": revoked})
            return [normalize_gowa_message(payload, content)]
        case "messageedited":
            fields = {"text": get_str(payload, "body")}
            fields["target_wa_message_id"] = get_str(payload, "original_message_id")
            return [normalize_gowa_message(payload, Content(MessageKind.EDIT, fields))]
        case _:
            return [NonMessage(event or "unknown")]
