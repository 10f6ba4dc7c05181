"""Media kinds that need no model: location, contact card, sticker, plain text."""

from __future__ import annotations

from datetime import UTC, datetime

from app.ai.media import understand
from app.domain import Location, MediaType, MessageKind, NormalizedMessage
from app.llm import LLMSettings, build_llm

LLM = build_llm(LLMSettings(provider="extractive"))


def message(**fields: object) -> NormalizedMessage:
    return NormalizedMessage(
        wa_message_id="w1", jid="1@s.whatsapp.net", chat_jid="1@s.whatsapp.net",
        timestamp=datetime.now(UTC), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_location_is_acknowledged_with_coordinates() -> None:
    loc = Location(lat=52.520008, lng=13.404954, name="Alexanderplatz")
    got = await understand(message(kind=MessageKind.LOCATION, location=loc), None, LLM, None)
    assert got is not None
    assert got.ack == "Thanks, I received your location: 52.52001, 13.40495 (Alexanderplatz)."


async def test_contact_card_and_sticker() -> None:
    card = message(kind=MessageKind.CONTACT, contact_name="Dana", vcard="BEGIN:VCARD")
    got = await understand(card, None, LLM, None)
    assert got is not None and got.ack == "Thanks for sharing Dana's contact card."
    sticker = message(kind=MessageKind.MEDIA, media_type=MediaType.STICKER, media_ref="r")
    got = await understand(sticker, None, LLM, None)
    assert got is not None and got.skip


async def test_text_has_no_media_input() -> None:
    assert await understand(message(text="hi"), None, LLM, None) is None
