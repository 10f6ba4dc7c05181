"""Bodies of the send budget (`PATCH /whatsapp/sessions/{id}/budget`, `POST …/pause`) and of
sending first (`POST /whatsapp/sessions/{id}/send`)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Unset = msgspec.UnsetType
Count = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class BudgetPatchBody(Body, kw_only=True):
    """Only the fields present change; `null` goes back to the server's default."""

    per_minute: Annotated[int, msgspec.Meta(ge=1, le=1000)] | Unset | None = msgspec.UNSET
    per_day: Count | Unset | None = msgspec.UNSET
    cold_per_day: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | Unset | None = msgspec.UNSET
    warmup_enabled: bool | Unset | None = msgspec.UNSET
    warmup_start_per_day: Count | Unset | None = msgspec.UNSET
    warmup_days: Annotated[int, msgspec.Meta(ge=1, le=90)] | Unset | None = msgspec.UNSET


class PauseBody(Body, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None


class SendMedia(Body, kw_only=True):
    """A file: `base64` (its type is read from the bytes; `mimeType` is the caller's claim)
    or `url` (fetched by the server through the SSRF guard). 16 MB at most."""

    mime_type: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    file_name: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    base64: Annotated[str, msgspec.Meta(min_length=1, max_length=23_000_000)] | None = None
    url: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^https?://")] | None = None


class SendFirstBody(Body, kw_only=True):
    to: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)] | None = None
    media: SendMedia | None = None
    client_message_id: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None
