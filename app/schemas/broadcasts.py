"""Bodies of `/broadcasts` (seed §6 Broadcasts; issue 15.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from app.domain import BroadcastTarget
from app.schemas.base import Body

Unset = msgspec.UnsetType
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=36)]
Ids = Annotated[list[Id], msgspec.Meta(max_length=100_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Message = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Url = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^https?://")]


class BroadcastCreateBody(Body, kw_only=True):
    """`labelIds` with `targetType: "LABEL"` (contacts with any of them), `contactIds` with
    `"CONTACTS"`; `sessionId`: the number that sends it (default: the workspace's only or
    first connected number, chosen when sending starts)."""

    name: Name
    message: Message
    media_url: Url | None = None
    target_type: BroadcastTarget
    label_ids: Ids = []
    contact_ids: Ids = []
    session_id: Id | None = None


class BroadcastPatchBody(Body, kw_only=True):
    """A draft's fields; only those present change (`null` clears `mediaUrl`/`sessionId`)."""

    name: Name | Unset = msgspec.UNSET
    message: Message | Unset = msgspec.UNSET
    media_url: Url | Unset | None = msgspec.UNSET
    target_type: BroadcastTarget | Unset = msgspec.UNSET
    label_ids: Ids | Unset = msgspec.UNSET
    contact_ids: Ids | Unset = msgspec.UNSET
    session_id: Id | Unset | None = msgspec.UNSET


class ScheduleBody(Body, kw_only=True):
    """When to start (ISO 8601 with a time zone offset)."""

    scheduled_at: datetime


class AudienceBody(Body, kw_only=True):
    """Who a broadcast would reach (the composer's live count), without saving anything."""

    target_type: BroadcastTarget
    label_ids: Ids = []
    contact_ids: Ids = []
    session_id: Id | None = None


class PreviewBody(Body, kw_only=True):
    """The message filled in for one contact (the first of the audience when not given)."""

    message: Message
    contact_id: Id | None = None
