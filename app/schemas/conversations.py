"""Bodies of `/conversations`: status and assignment, a human reply, approving a draft."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.domain import ConversationStatus
from app.schemas.base import Body

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class ConversationUpdateBody(Body, kw_only=True):
    status: ConversationStatus | None = None
    assigned_user_id: Annotated[str, msgspec.Meta(max_length=36)] | None = None
    unassign: bool = False
    read: bool = False  # reset unreadCount (the agent opened the thread)
    keep_takeover: bool = False  # resolving: leave the contact with the humans


class ResolveBody(Body, kw_only=True):
    keep_takeover: bool = False  # leave the contact with the humans (default: back to the bot)


class SendBody(Body, kw_only=True):
    text: Text


class ApproveBody(Body, kw_only=True):
    text: Text | None = None  # edit the draft before sending it
