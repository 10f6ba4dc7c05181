"""What the wizard's steps share: the state collected so far, body validation, setup status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from nicegui import ui

from app.domain import Actor, Invalid, Resource
from app.domain import records as m
from ui.state import container

S = TypeVar("S", bound=msgspec.Struct)
STEPS = [
    ("name", "Name your workspace", "badge"),
    ("connect", "Connect WhatsApp", "qr_code_2"),
    ("model", "Persona and model", "smart_toy"),
    ("knowledge", "First answer", "menu_book"),
    ("try", "Try a question", "chat"),
]


@dataclass
class Wizard:
    """The signed-in actor, their workspace and what earlier steps produced."""

    actor: Actor
    workspace: m.Workspace
    stepper: ui.stepper
    kb_id: str = ""
    simulator_id: str | None = None
    question: ui.input | None = None  # the last step's question box, prefilled by step 4

    def next(self) -> None:
        """Move on a step (set on the server, so the page's state follows, not only the DOM)."""
        self._go(+1)

    def previous(self) -> None:
        self._go(-1)

    def _go(self, delta: int) -> None:
        keys = [key for key, _, _ in STEPS]
        at = keys.index(self.stepper.value) if self.stepper.value in keys else 0
        self.stepper.value = keys[max(0, min(len(keys) - 1, at + delta))]


def checked(kind: type[S], **fields: Any) -> S:
    """Build an API body from snake_case fields with the API's own limits (a UI call skips the
    API's decoding, so it would skip them too); a broken limit becomes a readable Invalid."""
    names = dict(zip(kind.__struct_fields__, kind.__struct_encode_fields__, strict=True))
    try:
        return msgspec.convert({names[k]: v for k, v in fields.items()}, kind)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc).replace("Expected `str` of length", "text of length")) from None


def nav(wizard: Wizard, *, back: bool = True) -> ui.row:
    """The row of step buttons; callers add their own primary button into it."""
    row = ui.row().classes("w-full items-center gap-2 pt-2")
    with row:
        if back:
            # after the step's own button: on a phone the primary action stays first
            back_button = ui.button("Back", on_click=wizard.previous).props("flat")
            back_button.classes("order-last").mark("back")
    return row


async def needs_setup(actor: Actor) -> bool:
    """True while an owner/admin's workspace has no WhatsApp session (real or simulator) or
    nothing in its knowledge base: the dashboard then offers the wizard."""
    if not actor.may(Resource.SETTINGS, write=True):
        return False
    services = container().services
    no_session = not await services.sessions.list(actor)
    bases = await services.knowledge.list(actor)
    empty = not any(kb.document_count or kb.faq_count for kb in bases)
    return no_session or empty
