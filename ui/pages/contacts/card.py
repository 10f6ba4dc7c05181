"""The contact's card: avatar, name (editable), phone, the bot switches (autoreply, approval
mode, VIP, human takeover), broadcast consent (opted out by an opt-out word or by hand),
block/unblock and GDPR delete behind a confirmation."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Actor, Invalid, Resource
from app.domain import conversations as c
from ui.components import ErrorLabel, confirm
from ui.components.format import when
from ui.pages.contacts._common import initials, phone, shown_name
from ui.pages.contacts.export_route import export_url
from ui.state import container

# switch key → (label, hint, current value)
SWITCHES = {
    "autoreply_enabled": ("Bot replies", "The AI answers this contact"),
    "approval_mode": ("Approval mode", "Bot replies wait for a human's OK"),
    "is_vip": ("VIP", "Marked as an important contact"),
    "human_takeover": ("Human takeover", "A person handles the chat; the bot stays silent"),
}


class ContactCard(ui.card):
    def __init__(self, actor: Actor, contact: c.Contact) -> None:
        super().__init__()
        self.actor, self.contact = actor, contact
        write = actor.may(Resource.CONTACTS, write=True)
        self.classes("w-full gap-3").mark("contact-card")
        with self:
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                with ui.avatar(color="primary", text_color="white", size="56px"):
                    if contact.profile_pic_url:
                        ui.image(contact.profile_pic_url)
                    else:
                        ui.label(initials(contact)).classes("text-lg").mark("initials")
                with ui.column().classes("gap-0 min-w-0"):
                    self.title = ui.label(shown_name(contact)).classes("text-xl font-semibold")
                    self.title.classes("break-all").mark("contact-name")
                    ui.label(phone(contact)).classes("text-grey-8").mark("contact-phone")
            if write:
                self.name = ui.input("Name", value=contact.display_name or contact.name or "")
                self.name.props("outlined dense maxlength=255").classes("w-full")
                self.name.mark("name-input").on("keydown.enter", self.save_name)
                self.name.on("blur", self.save_name)
            with ui.column().classes("gap-0 text-grey-7 text-sm"):
                ui.label(f"First seen {when(contact.first_seen_at)}")
                ui.label(f"Last active {when(contact.last_message_at)}")
            self.error = ErrorLabel("card-error")
            for key, (text, hint) in SWITCHES.items():
                with ui.row().classes("w-full items-center justify-between no-wrap"):
                    with ui.column().classes("gap-0"):
                        ui.label(text)
                        ui.label(hint).classes("text-grey-7 text-xs")
                    switch = ui.switch(value=getattr(contact, key)).mark(f"switch-{key}")
                    switch.on_value_change(lambda e, k=key: self.toggle(k, e))
                    switch.set_enabled(write)
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                with ui.column().classes("gap-0"):
                    ui.label("Receives broadcasts")
                    self.consent = ui.label().classes("text-grey-7 text-xs").mark("consent")
                self._consent_text()
                switch = ui.switch(value=contact.opted_out_at is None).mark("switch-broadcasts")
                switch.on_value_change(self.toggle_consent)
                switch.set_enabled(write)
            exportable = actor.may(Resource.EXPORTS)
            if write or exportable:
                with ui.row().classes("w-full gap-2 pt-2"):
                    if write:
                        self.block = ui.button(on_click=self.toggle_block)
                        self.block.props("outline no-caps").mark("block")
                        ui.button("Delete", icon="delete", on_click=self.delete_contact).props(
                            "outline no-caps color=negative"
                        ).mark("delete")
                    if exportable:  # a data-subject access request: owners and admins
                        ui.button(
                            "Export data",
                            icon="download",
                            on_click=lambda: ui.download.from_url(export_url(contact.id)),
                        ).props("outline no-caps").mark("export-data").tooltip(
                            "Everything stored about them, as a zip: profile, labels, fields, "
                            "conversations, messages, media, audit entries"
                        )
                if write:
                    self._block_text()

    def _consent_text(self) -> None:
        out = self.contact.opted_out_at
        self.consent.text = (
            f"Opted out {when(out)}: every broadcast skips them"
            if out
            else "Off: broadcasts skip them (they can also write STOP)"
        )

    async def toggle_consent(self, event: Any) -> None:
        receives = bool(event.value)
        if receives == (self.contact.opted_out_at is None):
            return
        services = container().services.contacts
        action = "opt_in" if receives else "opt_out"
        changed = await self._write(lambda: services.set_flag(self.actor, self.contact.id, action))
        if changed is None:
            event.sender.value = self.contact.opted_out_at is None
        self._consent_text()

    def _block_text(self) -> None:
        blocked = self.contact.is_blocked
        self.block.props(f"icon={'check_circle' if blocked else 'block'}")
        self.block.text = "Unblock" if blocked else "Block"

    async def _write(self, call: Any) -> c.Contact | None:
        changed = await self.error.run(call)
        if changed is not None:
            self.contact = changed
            self.title.text = shown_name(changed)
        return changed

    async def save_name(self) -> None:
        value = (self.name.value or "").strip()
        if value == (self.contact.display_name or self.contact.name or ""):
            return
        services = container().services.contacts

        async def call() -> c.Contact:
            if len(value) > 255:
                raise Invalid("a name has at most 255 characters")
            return await services.update(
                self.actor, self.contact.id, {"display_name": value or None}, None
            )

        if await self._write(call):
            # cleared: the name WhatsApp reported shows again, in the field too
            self.name.value = self.contact.display_name or self.contact.name or ""
            ui.notify("Name saved", type="positive")

    async def toggle(self, key: str, event: Any) -> None:
        if bool(event.value) == getattr(self.contact, key):
            return  # our own revert below, or no change
        services = container().services.contacts
        on = bool(event.value)

        async def call() -> c.Contact:
            if key == "human_takeover":
                action = "takeover" if on else "release"
                return await services.set_flag(self.actor, self.contact.id, action)
            return await services.update(self.actor, self.contact.id, {key: on}, None)

        if await self._write(call) is None:
            event.sender.value = getattr(self.contact, key)

    async def toggle_block(self) -> None:
        action = "unblock" if self.contact.is_blocked else "block"
        services = container().services.contacts
        if await self._write(lambda: services.set_flag(self.actor, self.contact.id, action)):
            self._block_text()
            ui.notify(f"{shown_name(self.contact)} {action}ed", type="positive")

    async def delete_contact(self) -> None:
        """Named apart from `Element.delete`, which NiceGUI calls to remove the card."""
        name = shown_name(self.contact)
        if not await confirm(
            f"Delete {name}?",
            "Their conversations, messages and media are erased for good (GDPR). "
            "If they write again they come back as a new contact.",
            action="Delete",
        ):
            return

        async def call() -> bool:
            await container().services.contacts.delete(self.actor, self.contact.id)
            return True

        if await self.error.run(call):
            ui.notify(f"{name} deleted", type="positive")
            ui.navigate.to("/dashboard/contacts")
