"""neonize's own protobuf event types, built here, through the worker-side normalizer."""

from __future__ import annotations

import hashlib

import pytest
from neonize.proto.Neonize_pb2 import JID, MessageInfo, MessageSource
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as e2e

from app.channels.normalize.neonize import (
    decode_media_ref,
    normalize_message_event,
    normalize_receipt_event,
)
from app.domain import MediaType, MessageKind, ReceiptKind

ALICE = JID(User="5511999990001", Server="s.whatsapp.net")
ALICE_LID = JID(User="100000000000001", Server="lid")
GROUP = JID(User="120363000000000001", Server="g.us")


def event(
    message: e2e.Message, *, chat: JID = ALICE, sender: JID = ALICE, **kw: object
) -> MessageEv:
    source = MessageSource(Chat=chat, Sender=sender, IsFromMe=False, IsGroup=chat.Server == "g.us")
    if "sender_alt" in kw:
        source.SenderAlt.CopyFrom(kw.pop("sender_alt"))  # type: ignore[arg-type]
    info = MessageInfo(MessageSource=source, ID="3EB0AAAA", Pushname="Alice", Timestamp=1769829698)
    return MessageEv(Info=info, Message=message, **kw)  # type: ignore[arg-type]


def test_conversation() -> None:
    msg = normalize_message_event(event(e2e.Message(conversation="hello")))
    assert (msg.kind, msg.text, msg.jid, msg.chat_jid) == (
        MessageKind.TEXT, "hello", "5511999990001@s.whatsapp.net", "5511999990001@s.whatsapp.net",
    )  # fmt: skip
    assert msg.push_name == "Alice" and msg.timestamp.year == 2026 and not msg.is_group


def test_quoted_reply_uses_whatsmeow_spelling() -> None:
    ctx = e2e.ContextInfo(
        stanzaID="ORIG1",
        participant="5511999990001@s.whatsapp.net",
        quotedMessage=e2e.Message(conversation="the question"),
    )
    ext = e2e.ExtendedTextMessage(text="the answer", contextInfo=ctx)
    msg = normalize_message_event(event(e2e.Message(extendedTextMessage=ext)))
    assert msg.text == "the answer"
    assert msg.reply_to_wa_message_id == "ORIG1" and msg.reply_to_text == "the question"


def test_image_with_caption_has_downloadable_ref() -> None:
    digest = hashlib.sha256(b"jpeg").digest()
    image = e2e.ImageMessage(
        URL="https://mmg.whatsapp.net/x", mimetype="image/jpeg", caption="look",
        fileSHA256=digest, fileLength=1234, mediaKey=b"k" * 32, directPath="/v/x",
    )  # fmt: skip
    msg = normalize_message_event(event(e2e.Message(imageMessage=image)))
    assert msg.kind is MessageKind.MEDIA and msg.media_type is MediaType.IMAGE
    assert msg.media_caption == "look" and msg.body == "look" and msg.text is None
    assert msg.media_size == 1234 and msg.media_sha256 == digest.hex()
    assert msg.media_mime == "image/jpeg"
    restored = decode_media_ref(msg.media_ref or "")
    assert restored.imageMessage.mediaKey == b"k" * 32
    assert restored.imageMessage.directPath == "/v/x"


def test_voice_note_video_document_sticker() -> None:
    voice = e2e.AudioMessage(mimetype="audio/ogg; codecs=opus", PTT=True, seconds=9)
    msg = normalize_message_event(event(e2e.Message(audioMessage=voice)))
    assert msg.media_type is MediaType.AUDIO and msg.is_voice_note and msg.media_seconds == 9
    video = e2e.VideoMessage(mimetype="video/mp4", caption="clip")
    msg = normalize_message_event(event(e2e.Message(videoMessage=video)))
    assert msg.media_type is MediaType.VIDEO and msg.media_caption == "clip"
    doc = e2e.DocumentMessage(mimetype="application/pdf", fileName="r.pdf", caption="report")
    wrapped = e2e.Message(documentWithCaptionMessage=e2e.FutureProofMessage(
        message=e2e.Message(documentMessage=doc)))  # fmt: skip
    msg = normalize_message_event(event(wrapped))
    assert msg.media_type is MediaType.DOCUMENT and msg.media_filename == "r.pdf"
    assert msg.media_caption == "report"
    sticker = e2e.StickerMessage(mimetype="image/webp")
    msg = normalize_message_event(event(e2e.Message(stickerMessage=sticker)))
    assert msg.media_type is MediaType.STICKER


def test_location_and_contact_card() -> None:
    loc = e2e.LocationMessage(degreesLatitude=-23.5, degreesLongitude=-46.6, name="Office")
    msg = normalize_message_event(event(e2e.Message(locationMessage=loc)))
    assert msg.kind is MessageKind.LOCATION and msg.media_type is MediaType.LOCATION
    assert msg.location is not None and msg.location.lat == pytest.approx(-23.5)
    assert msg.location.name == "Office"
    card = e2e.ContactMessage(displayName="Bob", vcard="BEGIN:VCARD\nFN:Bob\nEND:VCARD")
    msg = normalize_message_event(event(e2e.Message(contactMessage=card)))
    assert msg.kind is MessageKind.CONTACT and msg.media_type is MediaType.CONTACT_CARD
    assert msg.vcard and "FN:Bob" in msg.vcard and msg.contact_name == "Bob"


def test_reaction() -> None:
    react = e2e.ReactionMessage(key=MessageKey(ID="ORIG1", fromMe=True), text="👍")
    msg = normalize_message_event(event(e2e.Message(reactionMessage=react)))
    assert msg.kind is MessageKind.REACTION and not msg.is_conversational
    assert msg.reaction is not None and msg.reaction.target_wa_message_id == "ORIG1"
    assert msg.reaction.emoji == "👍"


def test_view_once_and_ephemeral_wrappers_unwrap_recursively() -> None:
    inner = e2e.Message(imageMessage=e2e.ImageMessage(mimetype="image/jpeg", caption="secret"))
    once = e2e.Message(viewOnceMessageV2=e2e.FutureProofMessage(message=inner))
    both = e2e.Message(ephemeralMessage=e2e.FutureProofMessage(message=once))
    msg = normalize_message_event(event(both))
    assert msg.is_view_once and msg.is_ephemeral and msg.media_caption == "secret"
    # whatsmeow may already have unwrapped, and say so with flags on the event
    flagged = normalize_message_event(event(inner, IsViewOnceV2=True, IsEphemeral=True))
    assert flagged.is_view_once and flagged.is_ephemeral


def test_group_message_with_lid_sender_and_phone_alt() -> None:
    ev = event(e2e.Message(conversation="hi all"), chat=GROUP, sender=ALICE_LID, sender_alt=ALICE)
    msg = normalize_message_event(ev)
    assert msg.is_group and msg.group_jid == "120363000000000001@g.us"
    assert msg.chat_jid == msg.group_jid
    assert msg.sender_lid == "100000000000001@lid"
    assert msg.sender_phone_jid == "5511999990001@s.whatsapp.net"
    assert msg.jid == msg.sender_phone_jid


def test_lid_only_sender_and_device_suffix() -> None:
    lid = JID(User="100000000000001", Server="lid", Device=3)
    msg = normalize_message_event(event(e2e.Message(conversation="x"), chat=lid, sender=lid))
    assert msg.jid == "100000000000001@lid" and msg.sender_phone_jid is None


def test_revoke_and_edit_protocol_messages() -> None:
    revoke = e2e.ProtocolMessage(type=e2e.ProtocolMessage.REVOKE, key=MessageKey(ID="OLD"))
    msg = normalize_message_event(event(e2e.Message(protocolMessage=revoke)))
    assert msg.kind is MessageKind.REVOKE and msg.target_wa_message_id == "OLD"
    edit = e2e.ProtocolMessage(
        type=e2e.ProtocolMessage.MESSAGE_EDIT, key=MessageKey(ID="OLD"),
        editedMessage=e2e.Message(conversation="fixed"),
    )  # fmt: skip
    msg = normalize_message_event(event(e2e.Message(protocolMessage=edit)))
    assert msg.kind is MessageKind.EDIT and msg.text == "fixed"


def test_receipts() -> None:
    source = MessageSource(Chat=ALICE, Sender=ALICE)
    read = ReceiptEv(MessageSource=source, MessageIDs=["A", "B"], Timestamp=1769829700,
                     Type=ReceiptEv.READ)  # fmt: skip
    receipt = normalize_receipt_event(read)
    assert receipt is not None and receipt.kind is ReceiptKind.READ
    assert receipt.wa_message_ids == ("A", "B")
    delivered = ReceiptEv(MessageSource=source, MessageIDs=["A"], Type=ReceiptEv.DELIVERED)
    assert normalize_receipt_event(delivered).kind is ReceiptKind.DELIVERED  # type: ignore[union-attr]
    assert normalize_receipt_event(ReceiptEv(MessageIDs=["A"], Type=ReceiptEv.RETRY)) is None
