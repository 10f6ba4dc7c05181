"""Bodies of `POST /settings/webhooks` and `PATCH /settings/webhooks/{id}`."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000, pattern=r"^https?://")]
EventType = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Events = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=32)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Unset = msgspec.UnsetType


class WebhookCreateBody(Body):
    """`events`: public event types (`GET /settings/webhooks/event-types`) or `*` for all.
    `secret`: the signing secret (16–128 printable characters); generated when absent."""

    name: Name
    url: Url
    events: Events
    secret: Secret | None = None
    is_active: bool = True


class WebhookPatchBody(Body):
    """Only the fields present change. `rotateSecret: true` generates a new secret (returned
    once, in this response); `isActive: true` also forgets past failures."""

    name: Name | Unset = msgspec.UNSET
    url: Url | Unset = msgspec.UNSET
    events: Events | Unset = msgspec.UNSET
    secret: Secret | Unset = msgspec.UNSET
    rotate_secret: bool = False
    is_active: bool | Unset = msgspec.UNSET
