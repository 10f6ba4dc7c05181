"""LabelPicker (seed §7): the contact's labels as chips (× detaches), a select to attach one of
the workspace's labels, and a small form to create a label and attach it in one go."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.pages.contacts._common import PALETTE, checked_label
from ui.state import container

SWATCH = '<span :style="{color: props.opt.label}" class="text-h6">●</span>'
OPTION = f'<q-item v-bind="props.itemProps"><q-item-section>{SWATCH}</q-item-section></q-item>'


class LabelPicker(ui.column):
    def __init__(self, actor: Actor, contact: c.Contact, labels: list[c.Label]) -> None:
        super().__init__()
        self.actor, self.contact, self.labels = actor, contact, labels
        self.write = actor.may(Resource.CONTACTS, write=True)
        self.classes("w-full gap-2").mark("label-picker")
        with self:
            self.chips = ui.row().classes("w-full gap-1").mark("contact-labels")
            self.error = ErrorLabel("label-error")
            if self.write:
                self.choice = ui.select({}, label="Add a label", with_input=True).props(
                    "outlined dense options-dense"
                )
                self.choice.classes("w-full").mark("label-select")
                self.choice.on_value_change(self._chosen)
                with ui.row().classes("w-full items-center no-wrap gap-2"):
                    self.new_name = ui.input(placeholder="New label").props(
                        "outlined dense maxlength=100"
                    )
                    self.new_name.classes("grow").mark("new-label-name")
                    self.new_color = (
                        ui.select(
                            {p: p for p in PALETTE}, value=PALETTE[len(labels) % len(PALETTE)]
                        )
                        .props("outlined dense options-dense aria-label=Colour")
                        .classes("w-20")
                    )
                    self.new_color.add_slot("selected-item", SWATCH)
                    self.new_color.add_slot("option", OPTION)
                    ui.button(icon="add", on_click=self.create).props(
                        "unelevated round dense aria-label=Create"
                    ).mark("create-label")
                self.new_name.on("keydown.enter", self.create)
        self.draw()

    def draw(self) -> None:
        self.chips.clear()
        with self.chips:
            for label in self.contact.labels:
                chip = ui.chip(
                    label.name, removable=self.write, color=label.color, text_color="white"
                )
                chip.props("dense").mark(f"label-{label.name}")
                chip.on("remove", lambda _, i=label.id: self._detach(i))
            if not self.contact.labels:
                ui.label("No labels").classes("text-grey-7 text-sm").mark("no-labels")
        if self.write:
            have = {lb.id for lb in self.contact.labels}
            self.choice.set_options({lb.id: lb.name for lb in self.labels if lb.id not in have})

    async def _run(self, call: Callable[[], Awaitable[c.Contact]]) -> None:
        changed = await self.error.run(call)
        if changed is not None:
            self.contact = changed
        self.draw()

    async def _chosen(self) -> None:
        label_id = self.choice.value
        if not label_id:
            return
        self.choice.value = None
        contacts = container().services.contacts
        await self._run(lambda: contacts.attach_label(self.actor, self.contact.id, label_id))

    async def _detach(self, label_id: str) -> None:
        contacts = container().services.contacts
        await self._run(lambda: contacts.detach_label(self.actor, self.contact.id, label_id))

    async def create(self) -> None:
        services = container().services

        async def call() -> c.Contact:
            name, color = checked_label(self.new_name.value or "", self.new_color.value or "")
            label = await services.labels.create(self.actor, name, color)
            self.labels = await services.labels.list(self.actor)
            return await services.contacts.attach_label(self.actor, self.contact.id, label.id)

        before = self.contact
        await self._run(call)
        if self.contact is not before:
            self.new_name.value = ""
            self.new_color.value = PALETTE[len(self.labels) % len(PALETTE)]
