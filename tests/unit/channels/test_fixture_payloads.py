"""Every payload in ../shared/eval/whatsapp normalizes, or is explicitly classified as non-message.

The files are read in place (never copied). Each case also pins the expected outcome type, so a
regression that turns a message into a NonMessage (or back) fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.channels.normalize import (
    NonMessage,
    normalize_baileys_event,
    normalize_baileys_message,
    normalize_gowa,
    normalize_waha,
)
from app.domain import MediaType, MessageKind, NormalizedMessage, Receipt, ReceiptKind
from tests.unit.channels.jsonc import loads_lenient

EVAL = (
    Path(os.environ.get("AIMY_EVAL_DIR") or Path(__file__).resolve().parents[4] / "shared" / "eval")
    / "whatsapp"
)
BAILEYS = EVAL / "baileys_raw" / "omni_channel-whatsapp_real-payloads.json"
WAHA = EVAL / "waha_docs" / "waha_docs_event_examples.json"
GOWA = EVAL / "gowa_docs" / "gowa_webhook_payload_examples.json"

pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason="shared eval data not present")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _baileys_messages() -> list[Any]:
    data = _load(BAILEYS).get("messages", {})
    return [
        pytest.param(k, m["payload"], id=f"{k}-{m['id'][:8]}") for k, v in data.items() for m in v
    ]


def _baileys_events() -> list[Any]:
    data = _load(BAILEYS).get("events", {})
    return [pytest.param(k, e, id=f"{k}-{i}") for k, v in data.items() for i, e in enumerate(v)]


def _doc_examples(path: Path) -> list[Any]:
    examples = _load(path).get("examples", [])
    return [pytest.param(e, id=f"{Path(e['path']).stem}-{e['line']}") for e in examples]


def _check(item: object) -> None:
    assert isinstance(item, NormalizedMessage | Receipt | NonMessage), item
    if isinstance(item, NormalizedMessage):
        assert item.wa_message_id and item.jid and item.chat_jid
        assert item.timestamp.tzinfo is not None
        assert "@" in item.jid and "@c.us" not in item.jid


EXPECTED_KIND = {
    "text": MessageKind.TEXT,
    "extendedText": MessageKind.TEXT,
    "audio": MessageKind.MEDIA,
    "image": MessageKind.MEDIA,
    "sticker": MessageKind.MEDIA,
    "contact": MessageKind.CONTACT,
    "location": MessageKind.LOCATION,
    "poll": MessageKind.POLL,
    "pollUpdate": MessageKind.POLL,
}


@pytest.mark.parametrize(("kind", "payload"), _baileys_messages())
def test_baileys_raw_message(kind: str, payload: dict[str, Any]) -> None:
    message = normalize_baileys_message(payload)
    _check(message)
    if kind in EXPECTED_KIND:
        assert message.kind is EXPECTED_KIND[kind]
    # every capture is LID-addressed with the phone JID alongside
    assert message.sender_lid == "100000000000001@lid"
    assert message.sender_phone_jid == "5511999990001@s.whatsapp.net"
    assert message.jid == message.sender_phone_jid
    assert message.chat_jid == "100000000000001@lid"


@pytest.mark.parametrize(("event", "data"), _baileys_events())
def test_baileys_raw_event(event: str, data: Any) -> None:
    items = normalize_baileys_event(event, data)
    assert items
    for item in items:
        _check(item)
    if event in ("call", "presence", "contactsUpdate", "groupParticipantsUpdate"):
        assert all(isinstance(i, NonMessage) for i in items)
    if event == "messageReceiptUpdate":
        assert all(isinstance(i, Receipt) and i.kind is ReceiptKind.READ for i in items)


def test_baileys_specifics() -> None:
    data = _load(BAILEYS)
    by_id = {m["id"]: m["payload"] for v in data["messages"].values() for m in v}
    quoted = normalize_baileys_message(by_id["AC19F8A92E5173E9BC213A6A78C23EC7"])
    assert quoted.reply_to_wa_message_id == "AC23570AE54CCF58A8923E45CC6089E8"
    assert quoted.reply_to_text == "Buenas como q tão as coisas aí"
    voice = normalize_baileys_message(by_id["ACDEB3DF3FA0B9571674641550949444"])
    assert voice.media_type is MediaType.AUDIO and voice.is_voice_note
    assert voice.media_size == 18446 and voice.media_seconds == 9
    assert voice.media_sha256 is None  # "[REDACTED]" is not a digest
    revoke = normalize_baileys_message(by_id["ACB3BD49DB830E5114F0E5AC37EEDACF"])
    assert revoke.kind is MessageKind.REVOKE
    assert revoke.target_wa_message_id == "ACE0753E3FBE3A88FF726FC52ED6FB77"
    forwarded = [normalize_baileys_message(m["payload"]) for m in data["messages"]["extendedText"]]
    assert any(m.is_forwarded for m in forwarded)
    groups = [
        i
        for e in data["events"]["chatsUpdate"]
        for i in normalize_baileys_event("chats.update", e)
        if isinstance(i, NormalizedMessage) and i.is_group
    ]
    assert len(groups) == 3
    incoming = next(g for g in groups if not g.is_from_me)
    assert incoming.group_jid == "120363000000000001@g.us"
    assert incoming.jid == "5511999990001@s.whatsapp.net"
    assert incoming.sender_lid == "100000000000001@lid"


@pytest.mark.parametrize("example", _doc_examples(WAHA))
def test_waha_doc_payload(example: dict[str, Any]) -> None:
    items = normalize_waha(loads_lenient(example["code"]))
    assert items
    for item in items:
        _check(item)


@pytest.mark.parametrize("example", _doc_examples(GOWA))
def test_gowa_doc_payload(example: dict[str, Any]) -> None:
    items = normalize_gowa(loads_lenient(example["code"]))
    assert len(items) == 1
    _check(items[0])


def _by_heading(path: Path, heading: str) -> list[Any]:
    examples = _load(path)["examples"]
    return [loads_lenient(e["code"]) for e in examples if e["heading"] == heading]


def test_gowa_specifics() -> None:
    (text,) = normalize_gowa(_by_heading(GOWA, "Text Message")[0])
    assert isinstance(text, NormalizedMessage) and text.text == "Hello, how are you?"
    assert text.sender_lid == "251556368777322@lid" and text.jid == "628123456789@s.whatsapp.net"
    (reply,) = normalize_gowa(_by_heading(GOWA, "Reply Message")[0])
    assert reply.reply_to_wa_message_id == "3EB0C127D7BACC83D6A1"
    assert reply.reply_to_text == "Hello, how are you?"
    (reaction,) = normalize_gowa(_by_heading(GOWA, "Reaction Message")[0])
    assert reaction.kind is MessageKind.REACTION and reaction.reaction.emoji == "👍"
    images = [normalize_gowa(p)[0] for p in _by_heading(GOWA, "Image Message")]
    assert {i.media_caption for i in images} == {None, "Check this out!"}
    (video,) = normalize_gowa(_by_heading(GOWA, "Video Message")[0])
    assert video.media_type is MediaType.VIDEO and video.body == "Watch this!"
    (loc,) = normalize_gowa(_by_heading(GOWA, "Location Message")[0])
    assert loc.location.lat == pytest.approx(-6.2088) and loc.media_type is MediaType.LOCATION
    (once,) = normalize_gowa(_by_heading(GOWA, "View Once Message")[0])
    assert once.is_view_once
    (read,) = normalize_gowa(_by_heading(GOWA, "Message Read")[0])
    assert isinstance(read, Receipt) and read.kind is ReceiptKind.READ


def test_waha_specifics() -> None:
    replies = [normalize_waha(p)[0] for p in _by_heading(WAHA, "replyTo")]
    assert replies[0].reply_to_wa_message_id == "AAAAAAAAAAAAAAAAAAA"
    assert replies[0].reply_to_text == "Check this out!"
    media = [normalize_waha(p)[0] for p in _by_heading(WAHA, "Media Files")]
    assert [m.media_type for m in media] == [MediaType.IMAGE, MediaType.DOCUMENT]
    assert media[1].media_filename == "some-file.pdf"
    (status,) = normalize_waha(_by_heading(WAHA, "Receive status messages")[0])
    assert isinstance(status, NonMessage)
    group = normalize_waha(_by_heading(WAHA, "Get messages")[2])[0]
    assert group.is_group and group.jid == "33333@s.whatsapp.net" and group.text == "Test"
