"""Custom fields (key → value, e.g. plan = gold) and free-text notes about the contact."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Actor, Invalid, Resource
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.pages.contacts._common import checked_field
from ui.state import container

NOTES_MAX = 10_000


class FieldsEditor(ui.card):
    def __init__(self, actor: Actor, contact: c.Contact) -> None:
        super().__init__()
        self.actor, self.contact = actor, contact
        self.write = actor.may(Resource.CONTACTS, write=True)
        self.classes("w-full gap-2").mark("fields-editor")
        with self:
            ui.label("Custom fields").classes("text-lg font-semibold")
            self.rows = ui.column().classes("w-full gap-1").mark("custom-fields")
            self.error = ErrorLabel("fields-error")
            if self.write:
                with ui.row().classes("w-full items-center no-wrap gap-2"):
                    self.key = ui.input(placeholder="Field").props("outlined dense maxlength=100")
                    self.key.classes("w-1/3").mark("field-key")
                    self.value = ui.input(placeholder="Value").props("outlined dense")
                    self.value.classes("grow").mark("field-value")
                    ui.button(icon="add", on_click=self.add).props(
                        "unelevated round dense aria-label=Add"
                    ).mark("add-field")
                self.value.on("keydown.enter", self.add)
            ui.label("Notes").classes("text-lg font-semibold pt-2")
            self.notes = ui.textarea(value=contact.notes or "").props(
                f"outlined autogrow maxlength={NOTES_MAX}"
            )
            self.notes.classes("w-full").mark("notes")
            if self.write:
                ui.button("Save notes", on_click=self.save_notes).props("unelevated no-caps").mark(
                    "save-notes"
                )
            else:
                self.notes.props("readonly")
        self.draw()

    def draw(self) -> None:
        self.rows.clear()
        with self.rows:
            for key, value in sorted(self.contact.custom_fields.items()):
                with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"field-{key}"):
                    ui.label(key).classes("w-1/3 font-medium break-all")
                    ui.label(value).classes("grow break-all text-grey-9")
                    if self.write:
                        ui.button(icon="close", on_click=lambda k=key: self.save({k: None})).props(
                            "flat round dense aria-label=Remove"
                        ).mark(f"remove-field-{key}")
            if not self.contact.custom_fields:
                ui.label("No custom fields").classes("text-grey-7 text-sm").mark("no-fields")

    async def save(self, custom: dict[str, Any], changes: dict[str, Any] | None = None) -> bool:
        async def call() -> c.Contact:
            return await container().services.contacts.update(
                self.actor, self.contact.id, changes or {}, custom or None
            )

        changed = await self.error.run(call)
        if changed is not None:
            self.contact = changed
            self.draw()
        return changed is not None

    async def add(self) -> None:
        try:
            key, value = checked_field(self.key.value or "", self.value.value or "")
        except Invalid as exc:
            self.error.show(exc.detail)
            return
        if await self.save({key: value}):
            self.key.value = self.value.value = ""

    async def save_notes(self) -> None:
        notes = self.notes.value or ""
        if len(notes) > NOTES_MAX:
            self.error.show(f"notes have at most {NOTES_MAX} characters")
        elif await self.save({}, {"notes": notes.strip() or None}):
            ui.notify("Notes saved", type="positive")
