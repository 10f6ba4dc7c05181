"""Bodies of `/whatsapp/sessions`: create a session, pair by phone, simulate an inbound message."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.schemas.base import Body

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class SessionCreateBody(Body, kw_only=True):
    account_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    channel: Literal["simulator", "whatsapp"] | None = None


class PairBody(Body, kw_only=True):
    phone_number: Annotated[str, msgspec.Meta(min_length=7, max_length=20)]


class SimulatedMedia(Body, kw_only=True):
    type: Literal["IMAGE", "VIDEO", "AUDIO", "DOCUMENT", "STICKER"] | None = None
    mime_type: Annotated[str, msgspec.Meta(max_length=100)] = "application/octet-stream"
    file_name: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    base64: Annotated[str, msgspec.Meta(min_length=1, max_length=34_000_000)]


class SimulateBody(Body, kw_only=True):
    from_: Annotated[str, msgspec.Meta(min_length=5, max_length=128)] = msgspec.field(name="from")
    name: Short | None = None
    text: Text | None = None
    media: SimulatedMedia | None = None
    wa_message_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
