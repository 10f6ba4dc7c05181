"""What every knowledge page shares: who may change things, request bodies, status colours.

Services trust their callers on roles (the API guard checks them), so the pages check
`can(role, KNOWLEDGE, write=True)` twice: to hide controls, and again before each change.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TypeVar

import msgspec
from fastapi.responses import RedirectResponse
from nicegui import ui

from app.auth import Resource, can, require
from app.domain import Actor, Invalid
from app.domain import records as dm
from ui import session

T = TypeVar("T")

STATUS_COLOR = {
    "PENDING": "grey-7",
    "PROCESSING": "info",
    "INDEXED": "positive",
    "FAILED": "negative",
}
READ_ONLY = "You can look but not change: your role reads the knowledge base."


def may_read(actor: Actor) -> bool:
    return actor.role is not None and can(actor.role, Resource.KNOWLEDGE, write=False)


def may_write(actor: Actor) -> bool:
    return actor.role is not None and can(actor.role, Resource.KNOWLEDGE, write=True)


def guard(actor: Actor) -> None:
    """Refuse before a form is read (the services refuse too: a hidden button is no check)."""
    require(actor, Resource.KNOWLEDGE, write=True)


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


async def signed_in() -> tuple[Actor, dm.User, list[dm.Workspace]] | RedirectResponse:
    current = await session.current()
    return RedirectResponse("/login") if current is None else current


def forbidden() -> None:
    ui.label("Your role does not give access to the knowledge base.").classes("text-grey-8").mark(
        "forbidden"
    )
