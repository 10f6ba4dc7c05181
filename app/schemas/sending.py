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
