"""Bodies of `/canned-replies` and `POST /conversations/{id}/notes`."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Shortcut = Annotated[str, msgspec.Meta(min_length=1, max_length=33)]  # "/" allowed in front
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Unset = msgspec.UnsetType


class CannedReplyBody(Body):
    """`shortcut`: letters, digits, "-" and "_" (typed after "/" in the reply bar), unique in
    the workspace; `text` may use `{{contact.name}}`, `{{contact.phone}}`,
    `{{contact.fields.<key>}}`, `{{agent.name}}` and `{{workspace.name}}`."""

    shortcut: Shortcut
    title: Title
    text: Text


class CannedReplyPatchBody(Body):
    """Only the fields present change."""

    shortcut: Shortcut | Unset = msgspec.UNSET
    title: Title | Unset = msgspec.UNSET
    text: Text | Unset = msgspec.UNSET


class NoteBody(Body):
    text: Text
