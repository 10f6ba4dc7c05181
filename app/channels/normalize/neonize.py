"""neonize (whatsmeow) events → NormalizedMessage / Receipt.

Runs inside the channel worker process. Imports only neonize's generated protobuf modules; note
that importing any `neonize.*` module runs `neonize/__init__`, which loads the bundled Go library
(and would try to download it if the bundled version did not match — see tests).

Media refs are self-contained: `wa:` + base64 of a waE2E.Message holding only the media
sub-message (URL, directPath, mediaKey, hashes), which is exactly what `download_any` needs — so
media can be fetched after a restart, from the row the pipeline persisted.
"""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict
from neonize.proto.Neonize_pb2 import JID
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as E2EMessage

from app.channels.normalize.assemble import assemble
from app.channels.normalize.content import read_content
from app.channels.normalize.fields import JsonMap, timestamp
from app.domain import NormalizedMessage, Receipt, ReceiptKind, utcnow

MEDIA_REF_PREFIX = "wa:"
_RECEIPTS = {
    ReceiptEv.DELIVERED: ReceiptKind.DELIVERED,
    ReceiptEv.READ: ReceiptKind.READ,
    ReceiptEv.READ_SELF: ReceiptKind.READ,
    ReceiptEv.PLAYED: ReceiptKind.PLAYED,
    ReceiptEv.PLAYED_SELF: ReceiptKind.PLAYED,
}


def jid_str(jid: JID) -> str | None:
    """`user@server` (device dropped), or None for an empty JID."""
    if jid.IsEmpty or not jid.Server:
        return None
    return f"{jid.User}@{jid.Server}" if jid.User else jid.Server


def _to_json(message: Any) -> dict[str, Any]:
    return MessageToDict(message, preserving_proto_field_name=True)


def encode_media_ref(field_name: str, sub: JsonMap) -> str:
    """A ref holding just the media sub-message, enough for whatsmeow to download it."""
    holder = ParseDict({field_name: dict(sub)}, E2EMessage(), ignore_unknown_fields=True)
    return MEDIA_REF_PREFIX + base64.urlsafe_b64encode(holder.SerializeToString()).decode()


def decode_media_ref(ref: str) -> E2EMessage:
    if not ref.startswith(MEDIA_REF_PREFIX):
        raise ValueError(f"not a WhatsApp media ref: {ref[:16]!r}")
    return E2EMessage.FromString(base64.urlsafe_b64decode(ref[len(MEDIA_REF_PREFIX) :]))


def normalize_message_event(ev: MessageEv) -> NormalizedMessage:
    """A whatsmeow `events.Message` (neonize MessageEv) as a NormalizedMessage."""
    info, source = ev.Info, ev.Info.MessageSource
    message_json = _to_json(ev.Message)
    content = read_content(message_json, encode_media_ref)
    if ev.IsViewOnce or ev.IsViewOnceV2 or ev.IsViewOnceV2Extension:
        content.fields["is_view_once"] = True
    if ev.IsEphemeral:
        content.fields["is_ephemeral"] = True
    return assemble(
        content,
        wa_message_id=info.ID,
        chat_jid=jid_str(source.Chat),
        senders=(jid_str(source.Sender), jid_str(source.SenderAlt)),
        timestamp=timestamp(info.Timestamp) if info.Timestamp else utcnow(),
        is_from_me=source.IsFromMe,
        push_name=info.Pushname,
        raw={"info": _to_json(info), "message": message_json},
    )


def normalize_receipt_event(ev: ReceiptEv) -> Receipt | None:
    """Delivered/read/played receipts; None for the kinds the pipeline does not track."""
    kind = _RECEIPTS.get(ev.Type)
    if kind is None or not ev.MessageIDs:
        return None
    return Receipt(
        wa_message_ids=tuple(ev.MessageIDs),
        kind=kind,
        timestamp=timestamp(ev.Timestamp) or utcnow(),
        chat_jid=jid_str(ev.MessageSource.Chat),
        sender_jid=jid_str(ev.MessageSource.Sender),
    )
