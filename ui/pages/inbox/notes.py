"""Private notes in an open thread: amber cards, and their author's edit and delete.

A card is drawn once per note; `note:updated` redraws it in place and `note:deleted` removes
it — in this tab after its own action and in every teammate's tab through the live events.
The pencil shows only to the note's author, the bin to the author and to admins and owners
(the service checks the same rule: app/services/notes.py)."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain import agent_tools as t
from ui.components.format import when
from ui.state import container


class NoteCards:
    """The note cards of one thread, by note id."""

    def __init__(self, actor: Actor, conversation_id: str) -> None:
        self.actor = actor
        self.conversation_id = conversation_id
        self.cards: dict[str, ui.element] = {}

    def shown(self, note_id: str) -> bool:
        return note_id in self.cards

    def draw(self, note: t.Note) -> ui.element:
        """A card for `note` in the current container (the caller's `with`)."""
        card = self.cards[note.id] = _card(note, self._may_edit(note), self._may_delete(note))
        with card:
            self._controls(note)
        return card

    def updated(self, note: t.Note) -> None:
        """`note:updated`: the card redrawn where it was."""
        old = self.cards.get(note.id)
        if old is None or old.parent_slot is None:
            return
        parent = old.parent_slot.parent
        index = parent.default_slot.children.index(old)
        with parent:
            card = self.draw(note)
        card.move(parent, target_index=index)
        old.delete()

    def deleted(self, note_id: str) -> None:
        """`note:deleted`: the card goes."""
        card = self.cards.pop(note_id, None)
        if card is not None:
            card.delete()

    def _may_edit(self, note: t.Note) -> bool:
        return self._writer() and t.may_change_note(self.actor, note, deleting=False)

    def _may_delete(self, note: t.Note) -> bool:
        return self._writer() and t.may_change_note(self.actor, note, deleting=True)

    def _writer(self) -> bool:
        return self.actor.may(Resource.CONVERSATIONS, write=True)

    def _controls(self, note: t.Note) -> None:
        if not (self._may_edit(note) or self._may_delete(note)):
            return
        with ui.row().classes("gap-0 absolute top-1 right-1"):
            if self._may_edit(note):
                ui.button(icon="edit", on_click=lambda: self._edit(note)).props(
                    "flat dense round size=sm color=amber-9"
                ).mark("note-edit").tooltip("Edit note")
            if self._may_delete(note):
                ui.button(icon="delete", on_click=lambda: self._delete(note)).props(
                    "flat dense round size=sm color=amber-9"
                ).mark("note-delete").tooltip("Delete note")

    def _edit(self, note: t.Note) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            ui.label("Edit private note").classes("text-subtitle1")
            text = ui.textarea(value=note.text).classes("w-full").mark("note-edit-text")

            async def save() -> None:
                try:
                    fresh = await container().services.notes.edit(
                        self.actor, self.conversation_id, note.id, text.value or ""
                    )
                except DomainError as e:
                    ui.notify(str(e), type="negative")
                    return
                dialog.close()
                self.updated(fresh)

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Save", on_click=save).mark("note-edit-save")
        dialog.open()

    def _delete(self, note: t.Note) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label("Delete this private note? Your team will no longer see it.")

            async def confirm() -> None:
                try:
                    await container().services.notes.delete(
                        self.actor, self.conversation_id, note.id
                    )
                except DomainError as e:
                    ui.notify(str(e), type="negative")
                    return
                dialog.close()
                self.deleted(note.id)

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Delete", on_click=confirm).props("color=negative").mark(
                    "note-delete-confirm"
                )
        dialog.open()


def _card(note: t.Note, editable: bool, deletable: bool) -> ui.element:
    """A private note: amber, full width, with its author and time — unlike any bubble, so
    nobody takes it for something the customer read."""
    card = ui.column().classes(
        "relative w-full gap-0 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2"
    )
    card.mark("note")
    edited = " · edited" if note.edited_at is not None else ""
    room = " pr-16" if editable and deletable else " pr-8" if editable or deletable else ""
    with card:
        with ui.row().classes("items-center gap-1 text-xs text-amber-9" + room):
            ui.icon("lock").classes("text-sm")
            author = note.author_name or "someone"
            ui.label(f"Private note · {author} · {when(note.created_at)}{edited}")
        ui.label(note.text).classes("text-sm whitespace-pre-wrap").mark("note-text")
    return card
