"""Request bodies of the WhatsApp, contacts, conversations and notifications endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.api.schemas import Body
from app.domain import ConversationStatus

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$")]


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


class ContactUpdateBody(Body, kw_only=True):
    display_name: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    notes: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
    autoreply_enabled: bool | None = None
    approval_mode: bool | None = None
    is_vip: bool | None = None
    language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    # key → value; a null value removes the field
    custom_fields: (
        dict[Annotated[str, msgspec.Meta(min_length=1, max_length=100)], str | None] | None
    ) = None


class LabelCreateBody(Body, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    color: Color = "#607D8B"


class LabelUpdateBody(Body, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    color: Color | None = None


class AttachLabelBody(Body, kw_only=True):
    label_id: Annotated[str, msgspec.Meta(min_length=1, max_length=36)]


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
