"""Bodies of `/contacts` and their labels."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$")]


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
