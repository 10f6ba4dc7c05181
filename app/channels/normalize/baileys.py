"""Baileys `WAMessage` JSON (and Baileys socket events) → NormalizedMessage / Receipt / NonMessage.

Used for the raw-protocol fixtures and for WAHA's NOWEB `_data`; it is also the reference for
how LID addressing looks on the wire (`remoteJidAlt`, `participantAlt`).
"""

from __future__ import annotations

from typing import Any

from app.channels.normalize.assemble import assemble
from app.channels.normalize.content import read_content
from app.channels.normalize.fields import JsonMap, get, get_map, get_str, timestamp, to_bool
from app.channels.normalize.jids import is_group
from app.channels.normalize.outcome import NonMessage, Normalized, event_key
from app.domain import NormalizedMessage, Receipt, ReceiptKind


def _no_ref(_name: str, _sub: JsonMap) -> str | None:
    return None  # Baileys media needs Baileys' own downloader; we only read these as fixtures


def normalize_baileys_message(wa: JsonMap) -> NormalizedMessage:
    """One `WAMessage` (key, message, messageTimestamp, pushName…)."""
    key = get_map(wa, "key") or {}
    chat = get_str(key, "remoteJid")
    senders: tuple[str | None, ...]
    if is_group(chat):
        senders = (get_str(key, "participant"), get_str(key, "participantAlt"))
    else:  # 1:1: the chat partner, also for our own (fromMe) messages
        senders = (chat, get_str(key, "remoteJidAlt"), get_str(key, "participant"))
    wa_id = get_str(key, "id")
    if wa_id is None:
        raise ValueError("WAMessage without key.id")
    return assemble(
        read_content(get_map(wa, "message"), _no_ref),
        wa_message_id=wa_id,
        chat_jid=chat,
        senders=senders,
        timestamp=timestamp(get(wa, "messageTimestamp")),
        is_from_me=to_bool(get(key, "fromMe")),
        push_name=get_str(wa, "pushName"),
        raw=dict(wa),
    )


def _unwrap_chat_item(item: JsonMap) -> JsonMap:
    """`chats.update` wraps messages as {message: WAMessage}; a WAMessage itself has a key."""
    if get_map(item, "key") is not None:
        return item
    return get_map(item, "message") or item


def _receipt(data: JsonMap) -> Normalized:
    key, receipt = get_map(data, "key") or {}, get_map(data, "receipt") or {}
    read_at = get(receipt, "readTimestamp", "playedTimestamp")
    at = timestamp(read_at if read_at is not None else get(receipt, "receiptTimestamp"))
    wa_id = get_str(key, "id")
    if wa_id is None or at is None:
        return NonMessage("message-receipt.update", "no id or time")
    kind = ReceiptKind.READ if read_at is not None else ReceiptKind.DELIVERED
    chat, reader = get_str(key, "remoteJid"), get_str(receipt, "userJid")
    return Receipt((wa_id,), kind, at, chat_jid=chat, sender_jid=reader)


def normalize_baileys_event(event: str, data: Any) -> list[Normalized]:
    """A Baileys socket event (`messages.upsert`, `chats.update`, `message-receipt.update`, …)."""
    match event_key(event):
        case "messagesupsert":
            return [normalize_baileys_message(m) for m in get(data, "messages") or []]
        case "chatsupdate":
            out: list[Normalized] = []
            for update in get(data, "updates") or (data if isinstance(data, list) else []):
                wrapped = get(update, "messages") or []
                out += [normalize_baileys_message(_unwrap_chat_item(m)) for m in wrapped]
                if not wrapped:
                    out.append(NonMessage("chats.update", get_str(update, "id")))
            return out
        case "messagereceiptupdate":
            return [_receipt(item) for item in (data if isinstance(data, list) else [data])]
        case _:
            return [NonMessage(event)]
