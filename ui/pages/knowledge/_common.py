"""What every knowledge page shares: request bodies, status colours, the read-only note.

The knowledge service checks the seed §14 matrix on every call; the pages only ask
`actor.may(Resource.KNOWLEDGE, write=True)` to decide which controls to draw.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TypeVar

import msgspec

from app.domain import Invalid

T = TypeVar("T")

STATUS_COLOR = {
    "PENDING": "grey-7",
    "PROCESSING": "info",
    "INDEXED": "positive",
    "FAILED": "negative",
}
READ_ONLY = "You can look but not change: your role reads the knowledge base."
NO_ACCESS = "Your role does not give access to the knowledge base."


def body(cls: type[T], **fields: Any) -> T:
    """A request body checked like the API checks it (lengths, required fields)."""
    try:
        return msgspec.convert(SimpleNamespace(**fields), cls, from_attributes=True)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].rstrip("`'\" ")
        raise Invalid(_friendly(str(exc), field)) from None


def _friendly(message: str, field: str) -> str:
    name = field.split(".")[-1].replace("_", " ") or "value"
    if "length >= 1" in message or "got `null`" in message:
        return f"The {name} is required."
    if "length <=" in message:
        return f"The {name} is too long."
    return f"Invalid {name}: {message}"
