"""WAHA webhook envelopes (`{event, session, payload}`) → NormalizedMessage / Receipt / NonMessage.

WAHA ids look like `true_111@c.us_AAAA[_participant]`: fromMe, chat, WhatsApp id, participant.
When the NOWEB engine includes the raw Baileys message in `_data`, its content wins over WAHA's
flattened `body`.
"""

from __future__ import annotations

from typing import Any

from app.channels.normalize.assemble import assemble
from app.channels.normalize.content import Content, read_content
from app.channels.normalize.fields import JsonMap, get, get_map, get_str, timestamp, to_bool
from app.channels.normalize.jids import is_group
from app.channels.normalize.outcome import NonMessage, Normalized, event_key, media_type_for_mime
from app.domain import MessageKind, Reaction, Receipt, ReceiptKind, utcnow

_ACKS = {"DEVICE": ReceiptKind.DELIVERED, "READ": ReceiptKind.READ, "PLAYED": ReceiptKind.PLAYED}


def split_waha_id(serialized: str | None) -> str | None:
    """`true_111@c.us_AAAA_222@c.us` → `AAAA`; plain ids pass through."""
    if not serialized:
        return None
    parts = serialized.split("_")
    return parts[2] if len(parts) >= 3 and parts[0] in ("true", "false") else serialized


def _no_ref(_name: str, _sub: JsonMap) -> str | None:
    return None


def _content(payload: JsonMap) -> Content:
    data = get_map(payload, "_data") or {}
    if (raw := get_map(data, "message")) is not None:
        return read_content(raw, _no_ref)
    media = get_map(payload, "media")
    reply = get_map(payload, "replyTo")
    fields: dict[str, Any] = {}
    if reply is not None:
        fields["reply_to_wa_message_id"] = split_waha_id(get_str(reply, "id"))
        fields["reply_to_text"] = get_str(reply, "body")
        fields["reply_to_participant"] = get_str(reply, "participant")
    if media is not None and get_str(media, "url"):
        mime = get_str(media, "mimetype")
        fields |= {
            "media_type": media_type_for_mime(mime),
            "media_ref": get_str(media, "url"),
            "media_mime": mime,
            "media_filename": get_str(media, "filename"),
            "media_caption": get_str(payload, "body"),
        }
        return Content(MessageKind.MEDIA, fields)
    body = get_str(payload, "body")
    return Content(MessageKind.TEXT if body else MessageKind.OTHER, {"text": body, **fields})


def normalize_waha_message(payload: JsonMap, content: Content | None = None) -> Normalized:
    """One WAHA message payload (from `message`, `message.any`, or the messages list API)."""
    serialized = get_str(payload, "id")
    if serialized is None:
        return NonMessage("message", "payload carries no message")
    fragments = serialized.split("_")
    from_me = to_bool(get(payload, "fromMe")) or fragments[0] == "true"
    chat = get_str(payload, "to" if from_me else "from") or (
        fragments[1] if len(fragments) >= 3 else None
    )
    if chat is None:
        return NonMessage("message", f"no chat for {serialized!r} (elided example)")
    if chat == "status@broadcast" or "status@broadcast" in serialized:
        return NonMessage("status", "a status (story) update, not a chat message")
    participant = get_str(payload, "participant") or (fragments[3] if len(fragments) >= 4 else None)
    data = get_map(payload, "_data") or {}
    return assemble(
        content or _content(payload),
        wa_message_id=split_waha_id(serialized) or serialized,
        chat_jid=chat,
        senders=(participant,) if is_group(chat) else (chat, participant),
        timestamp=timestamp(get(payload, "timestamp")),
        is_from_me=from_me,
        push_name=get_str(data, "pushName", "notifyName"),
        raw=dict(payload),
    )


def _ack(payload: JsonMap) -> Normalized:
    kind = _ACKS.get(get_str(payload, "ackName") or "")
    wa_id = split_waha_id(get_str(payload, "id"))
    if kind is None or wa_id is None:
        return NonMessage("message.ack", get_str(payload, "ackName"))
    return Receipt(
        (wa_id,),
        kind,
        timestamp(get(payload, "timestamp")) or utcnow(),
        chat_jid=get_str(payload, "from"),
        sender_jid=get_str(payload, "participant"),
    )


def normalize_waha(envelope: Any) -> list[Normalized]:
    """A webhook envelope, or a list of message payloads (the messages API)."""
    if isinstance(envelope, list):
        return [normalize_waha_message(item) for item in envelope]
    event = get_str(envelope, "event") or ""
    payload = get_map(envelope, "payload") or {}
    match event_key(event):
        case "message" | "messageany":
            return [normalize_waha_message(payload)]
        case "messageack":
            return [_ack(payload)]
        case "messagereaction":
            reaction = get_map(payload, "reaction") or {}
            target = split_waha_id(get_str(reaction, "messageId")) or ""
            emoji = get_str(reaction, "text") or ""
            content = Content(MessageKind.REACTION, {"reaction": Reaction(target, emoji)})
            return [normalize_waha_message(payload, content)]
        case "messageedited":
            edited = get_str(payload, "editedMessageId")
            content = Content(
                MessageKind.EDIT,
                {"text": get_str(payload, "body"), "target_wa_message_id": edited},
            )
            return [normalize_waha_message(payload, content)]
        case "messagerevoked":
            after, before = get_map(payload, "after") or {}, get_map(payload, "before") or {}
            revoked = get_str(payload, "revokedMessageId") or split_waha_id(
                get_str(before, "id") or get_str(after, "id")
            )
            content = Content(MessageKind.REVOKE, {"target_wa_message_id": revoked})
            return [normalize_waha_message(after or before, content)]
        case _:
            return [NonMessage(event or "unknown")]
