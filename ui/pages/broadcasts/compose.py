"""`/dashboard/broadcasts/new` (seed §7 Create broadcast): the audience with its live count
(opted-out contacts skipped, blocked ones never included) and how long sending takes at the
number's send budget; the message with its variables and a preview as a real contact reads
it; an optional media URL; send now or at a time (in the workspace's time zone).

The form builds the same body the API takes (`BroadcastCreateBody`), so it is checked the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from nicegui import ui

from app.domain import Actor, BroadcastTarget, DomainError, Invalid, Resource
from app.schemas.broadcasts import BroadcastCreateBody
from ui.components import ErrorLabel
from ui.page import Viewer, dashboard_page
from ui.pages.broadcasts._common import duration
from ui.state import container

VARIABLES = (
    ("Name", "{{contact.name}}"),
    ("First name", "{{contact.first_name}}"),
    ("Phone", "{{contact.phone}}"),
)
TARGETS = {"ALL": "All contacts", "LABEL": "Contacts with a label", "CONTACTS": "Chosen contacts"}


def create() -> None:
    @dashboard_page(
        "/dashboard/broadcasts/new",
        "New broadcast",
        Resource.BROADCASTS,
        write=True,
        refusal="Your role can follow broadcasts but not send them.",
    )
    async def page(viewer: Viewer) -> None:
        await Composer.build(viewer.actor)


class Composer:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.services = container().services

    @classmethod
    async def build(cls, actor: Actor) -> Composer:
        self = cls(actor)
        await self._draw()
        return self

    async def _draw(self) -> None:
        s = self.services
        labels = await s.labels.list(self.actor)
        contacts = await s.contact_queries.list(self.actor, page_size=200, sort="name")
        senders = await s.sessions.list(self.actor) if self.actor.may(Resource.WHATSAPP) else []
        fields = sorted({k for c in contacts.items for k in c.custom_fields})
        settings = await s.settings.get(self.actor) if self.actor.may(Resource.SETTINGS) else None
        self.zone = ZoneInfo(settings.timezone if settings else "UTC")
        ui.link("← All broadcasts", "/dashboard/broadcasts").classes("text-sm")
        with ui.row().classes("w-full items-start gap-4 flex-col lg:flex-row lg:flex-nowrap"):
            with ui.card().classes("w-full gap-3"):
                ui.label("Message").classes("text-lg font-semibold")
                self.name = ui.input("Name (only you see it)").props("outlined dense")
                self.name.classes("w-full").mark("name")
                self.message = (
                    ui.textarea("Message", on_change=lambda: self._preview())
                    .props("outlined autogrow")
                    .classes("w-full")
                    .mark("message")
                )
                with ui.row().classes("gap-1 items-center"):
                    ui.label("Insert:").classes("text-sm text-grey-7")
                    vars_ = [*VARIABLES, *((f, f"{{{{contact.fields.{f}}}}}") for f in fields)]
                    for label, token in vars_:
                        ui.button(label, on_click=lambda t=token: self._insert(t)).props(
                            "flat dense no-caps size=sm"
                        ).mark(f"var-{label}")
                ui.label(
                    "A variable with no value for a contact is left out; {{contact.name|there}} "
                    'writes "there" instead.'
                ).classes("text-xs text-grey-7")
                self.media = ui.input("Image or file URL (optional)").props("outlined dense")
                self.media.classes("w-full").mark("media-url")
                with ui.card().classes("w-full bg-grey-2 gap-1").props("flat"):
                    ui.label("Preview").classes("text-xs text-grey-7")
                    self.preview = ui.label("").classes("whitespace-pre-wrap").mark("preview")
                    self.missing = ui.label("").classes("text-xs text-warning")
            with ui.card().classes("w-full lg:w-[26rem] lg:shrink-0 gap-3"):
                ui.label("Audience").classes("text-lg font-semibold")
                self.target = ui.radio(TARGETS, value="ALL", on_change=lambda: self._target())
                self.target.mark("target")
                self.labels = ui.select(
                    {lb.id: lb.name for lb in labels}, multiple=True, label="Labels",
                    on_change=lambda: self._count(),
                ).props("outlined dense use-chips").classes("w-full").mark("labels")  # fmt: skip
                self.contacts = ui.select(
                    {c.id: f"{c.display_name or c.name or c.phone_number} · {c.phone_number}"
                     for c in contacts.items},
                    multiple=True, label="Contacts", with_input=True,
                    on_change=lambda: self._count(),
                ).props("outlined dense use-chips").classes("w-full").mark("contacts")  # fmt: skip
                self.session = ui.select(
                    {x.id: x.account_id for x in senders},
                    value=senders[0].id if senders else None, label="Send from",
                    on_change=lambda: self._count(),
                ).props("outlined dense").classes("w-full").mark("session")  # fmt: skip
                self.session.set_visibility(len(senders) > 1)
                self.count = ui.label("").classes("text-sm").mark("audience-count")
                self.estimate = ui.label("").classes("text-xs text-grey-7").mark("estimate")
                ui.separator()
                self.when = ui.radio({"now": "Send now", "later": "Schedule"}, value="now")
                self.when.props("inline").mark("when")
                self.at = (
                    ui.input(f"Date and time ({self.zone.key})")
                    .props("outlined dense type=datetime-local")
                    .classes("w-full")
                    .mark("scheduled-at")
                )
                self.at.bind_visibility_from(self.when, "value", value="later")
                self.error = ErrorLabel()
                with ui.row().classes("w-full justify-end gap-2"):
                    ui.button("Save draft", on_click=lambda: self._save(None)).props("flat").mark(
                        "save-draft"
                    )
                    ui.button("Send", icon="send", on_click=lambda: self._save("go")).props(
                        "unelevated color=primary"
                    ).mark("send")
        self._target()
        await self._preview()

    def _insert(self, token: str) -> None:
        self.message.value = f"{self.message.value or ''}{token}"

    def _target(self) -> None:
        self.labels.set_visibility(self.target.value == "LABEL")
        self.contacts.set_visibility(self.target.value == "CONTACTS")
        ui.timer(0, self._count, once=True)

    async def _count(self) -> None:
        try:
            audience = await self.services.broadcasts.audience(
                self.actor,
                BroadcastTarget(self.target.value),
                list(self.labels.value or []),
                list(self.contacts.value or []),
                self.session.value,
            )
        except DomainError as exc:
            self.count.text = exc.detail
            return
        skipped = []
        if audience.opted_out:
            skipped.append(f"{audience.opted_out} opted out (skipped)")
        if audience.blocked:
            skipped.append(f"{audience.blocked} blocked (never included)")
        self.count.text = f"{audience.recipients} recipients" + (
            f" · {', '.join(skipped)}" if skipped else ""
        )
        self.estimate.text = (
            f"Sending takes {duration(audience.estimated_minutes)} at {audience.per_minute} "
            f"messages a minute, {audience.per_day} a day (the number's send budget; replies "
            "to customers go first)."
        )

    async def _preview(self) -> None:
        text = self.message.value or ""
        if not text.strip():
            self.preview.text, self.missing.text = "(the message appears here)", ""
            return
        try:
            shown = await self.services.broadcasts.preview(self.actor, text, None)
        except DomainError as exc:
            self.preview.text, self.missing.text = text, exc.detail
            return
        self.preview.text = shown.text
        notes = []
        if shown.unknown:
            notes.append("unknown: " + ", ".join(shown.unknown))
        if shown.missing:
            notes.append("no value for this contact: " + ", ".join(shown.missing))
        self.missing.text = " · ".join(notes)

    def _body(self) -> BroadcastCreateBody:
        values: dict[str, Any] = {
            "name": (self.name.value or "").strip(),
            "message": (self.message.value or "").strip(),
            "targetType": self.target.value,
            "labelIds": list(self.labels.value or []) if self.target.value == "LABEL" else [],
            "contactIds": (
                list(self.contacts.value or []) if self.target.value == "CONTACTS" else []
            ),
            "sessionId": self.session.value,
            "mediaUrl": (self.media.value or "").strip() or None,
        }
        if not values["name"]:
            raise Invalid("give the broadcast a name")
        try:
            return msgspec.convert(values, BroadcastCreateBody)
        except msgspec.ValidationError as exc:
            raise Invalid(str(exc).replace("`$.", "`")) from None

    async def _save(self, go: str | None) -> None:
        self.error.clear_error()
        service = self.services.broadcasts
        try:
            body = self._body()
            at = self._scheduled() if go and self.when.value == "later" else None
            created = await service.create(self.actor, body)
            if go and at is not None:
                await service.schedule(self.actor, created.id, at)
            elif go:
                await service.send(self.actor, created.id)
        except DomainError as exc:
            self.error.show(exc.detail)
            return
        ui.navigate.to(f"/dashboard/broadcasts/{created.id}")

    def _scheduled(self) -> datetime:
        raw = (self.at.value or "").strip()
        try:
            local = datetime.fromisoformat(raw)
        except ValueError:
            raise Invalid("pick the date and time to send at") from None
        return local.replace(tzinfo=self.zone)
