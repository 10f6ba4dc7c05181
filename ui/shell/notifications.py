"""The notification centre of the header (seed §12): a bell with the unread count and a menu of
the workspace's notifications, newest first. `notification:new` events bump it live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from nicegui import background_tasks, context, ui

from app.domain import Actor
from app.domain import conversations as c
from app.events import names
from app.events.bus import Event
from ui.components.format import when
from ui.components.live import listen
from ui.components.redraw import Coalesced, KeyedRows, shared_read
from ui.state import container

SHOWN = 20
WEBHOOKS_PAGE = "/dashboard/settings/webhooks"


def describe(type_: str, payload: dict[str, Any]) -> tuple[str, str, str | None]:
    """(icon, text, link) for one notification: what happened and where to act on it."""
    conversation = payload.get("conversationId")
    inbox = f"/dashboard/inbox/{conversation}" if conversation else "/dashboard/inbox"
    if type_ == names.ESCALATION_NEEDED:
        return "support_agent", "A conversation needs a human", inbox
    if type_ == names.APPROVAL_NEEDED:
        return "rule", "A bot reply is waiting for approval", inbox
    if type_ == names.HUMAN_REPLY_NEEDED:
        return "schedule", "A customer is waiting for your reply", inbox
    if type_ == names.NEW_CONTACT:
        who = str(payload.get("jid", "")).split("@")[0]
        return "person_add", f"New contact {who}".strip(), "/dashboard/contacts"
    if type_ == names.KB_INDEXED:
        name = payload.get("name") or "A document"
        ok = payload.get("status") != "FAILED"
        text = f"{name} is ready for the bot" if ok else f"{name} could not be indexed"
        return ("task_alt" if ok else "error"), text, "/dashboard/knowledge"
    if type_ == names.WA_DISCONNECTED:
        attempts = int(payload.get("attempts") or 1)
        if payload.get("endedAt"):
            text = "A WhatsApp number was disconnected (back now)"
        elif attempts > 1:
            text = f"A WhatsApp number is disconnected — {attempts} attempts to reconnect so far"
        else:
            text = "A WhatsApp number disconnected"
        return "link_off", text, "/dashboard/settings/whatsapp"
    if type_ == names.WA_RECONNECTED:
        return "link", "A WhatsApp number is connected again", "/dashboard/settings/whatsapp"
    if type_ == names.MEDIA_NOT_SAVED:
        return "sd_card_alert", "A customer's file could not be saved (disk full?)", inbox
    if type_ == names.BROADCAST_COMPLETE:
        name, which = payload.get("name"), payload.get("broadcastId")
        text = f"Broadcast “{name}” finished sending" if name else "A broadcast finished sending"
        return (
            "campaign",
            text,
            f"/dashboard/broadcasts/{which}" if which else "/dashboard/broadcasts",
        )
    if type_ == names.WEBHOOK_DISABLED:
        name = payload.get("name") or "?"
        return "webhook", f"Webhook “{name}” was switched off", WEBHOOKS_PAGE
    return "notifications", type_.replace("_", " ").capitalize(), None


class NotificationBell:
    """Every tab has one, and every tab hears each notification: a burst of them costs each
    bell one redraw (ui/components/redraw.py), the reads are shared by the workspace's tabs,
    and the redraw touches only the badge and the rows that changed (issue 19)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.items: list[c.Notification] = []
        self.unread = 0
        with ui.button(icon="notifications").props("flat round color=white").mark("bell"):
            self.badge = ui.badge("0", color="red").props("floating").mark("bell-count")
            # centred under the bell and never wider than the screen: on a phone the bell
            # sits mid-header, and Quasar clips a menu it cannot fit on one side
            menu = ui.menu().props('anchor="bottom middle" self="top middle"')
            with menu.mark("notification-menu"):
                self.body = ui.column().classes("gap-0")
                self.body.style("width: min(20rem, calc(100vw - 16px))")
                with self.body:
                    with ui.row().classes("w-full items-center justify-between px-3 py-2"):
                        ui.label("Notifications").classes("font-semibold")
                        self.mark_all = ui.button("Mark all read", on_click=self._mark_all)
                        self.mark_all.props("flat dense no-caps size=sm").mark("mark-all-read")
                    ui.separator()
                    self.nothing = ui.label("Nothing new.").classes("text-grey-7 px-3 py-4")
                    self.nothing.mark("no-notifications")
                    self.list = ui.column().classes("gap-0 w-full")
        self.rows = KeyedRows(self.list, self._row)
        self.badge.set_visibility(False)
        self.refresher = Coalesced(
            lambda: self.reload(shared=True), alive=lambda: not self.body.is_deleted, name="bell"
        )
        client = context.client

        async def load() -> None:
            with client:
                await self.reload()

        background_tasks.create(load(), name="bell")
        assert actor.workspace_id is not None
        listen(actor, {names.NOTIFICATION_NEW}, self._on_new)
        listen(actor, {names.NOTIFICATION_UPDATED}, self._on_updated)

    async def reload(self, *, shared: bool = False) -> None:
        """Read and show the newest notifications; `shared`: a live redraw, whose read the
        workspace's other tabs share (read state is the workspace's, not the viewer's)."""
        service, actor = container().services.notifications, self.actor

        async def read() -> tuple[list[c.Notification], int]:
            items = (await service.list(actor, page_size=SHOWN)).items
            return items, (await service.list(actor, page_size=1, unread=True)).total

        if shared:
            key = ("bell", actor.role)
            self.items, self.unread = await shared_read(key, actor.workspace_id or "", read)
        else:
            self.items, self.unread = await read()
        if not self.body.is_deleted:
            self._render()

    async def _on_new(self, event: Event) -> None:
        self.refresher.soon()
        _, text, _ = describe(str(event.data.get("type", "")), event.data.get("payload") or {})
        ui.notify(text, type="info", position="bottom-right")  # clear of the header on phones

    async def _on_updated(self, event: Event) -> None:
        """An ongoing situation changed (an outage's attempt count): redraw, no toast."""
        self.refresher.soon()

    async def _open(self, notification_id: str) -> None:
        item = next((i for i in self.items if i.id == notification_id), None)
        if item is None:
            return
        link = describe(item.type, item.payload)[2]
        if not item.is_read:
            await container().services.notifications.mark_read(self.actor, item.id)
        if link:
            ui.navigate.to(link)
        else:
            await self.reload()

    async def _mark_all(self) -> None:
        await container().services.notifications.mark_all_read(self.actor)
        await self.reload()

    def _render(self) -> None:
        self.badge.text = str(self.unread) if self.unread < 100 else "99+"
        self.badge.set_visibility(self.unread > 0)
        self.mark_all.set_enabled(self.unread > 0)
        self.nothing.set_visibility(not self.items)
        self.rows.show([(item.id, _look(item), self._filler(item)) for item in self.items])

    def _row(self) -> NotificationRow:
        return NotificationRow(self._open)

    def _filler(self, item: c.Notification) -> Callable[[NotificationRow], None]:
        return lambda row: row.show(item)


class NotificationRow(ui.item):
    """One notification of the menu: its elements are built once and `show` sets what they say,
    so a new notification changes the texts of the menu's rows instead of building one."""

    def __init__(self, on_open: Callable[[str], Awaitable[None]]) -> None:
        self.notification_id = ""
        super().__init__(on_click=lambda: on_open(self.notification_id))
        with self:
            with ui.item_section().props("avatar"):
                self.icon = ui.icon("notifications")
            with ui.item_section():
                self.text = ui.item_label()
                self.when = ui.item_label().props("caption")

    def show(self, item: c.Notification) -> None:
        icon, text, _ = describe(item.type, item.payload)
        if item.id != self.notification_id:
            self.notification_id = item.id
            self.mark(f"notification-{item.id}")
        self.icon.name = icon
        self.icon.props(f"color={'grey' if item.is_read else 'primary'}")
        self.text.text = text
        self.text.classes(replace="text-grey-7" if item.is_read else "font-semibold")
        self.when.text = when(item.created_at)


def _look(item: c.Notification) -> Hashable:
    """Everything a notification's row shows."""
    icon, text, _ = describe(item.type, item.payload)
    return icon, text, item.is_read, item.created_at
