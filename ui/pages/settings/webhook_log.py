"""A webhook's delivery log, under its card: the newest deliveries with a status chip, the last
attempt's status code, time and error, the attempts so far and the next try — and Redeliver for
one that is settled. Hidden until asked for; "Send test" reloads it when it is open."""

from __future__ import annotations

import math

from nicegui import ui

from app.domain import Actor, DeliveryStatus
from app.domain import webhooks as w
from ui.components import ErrorLabel
from ui.components.format import when
from ui.state import container

PAGE = 20
COLORS = {
    DeliveryStatus.DELIVERED: "positive",
    DeliveryStatus.FAILED: "negative",
    DeliveryStatus.PENDING: "warning",
    DeliveryStatus.SENDING: "info",
}
SETTLED = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def chip(status: DeliveryStatus) -> ui.badge:
    return ui.badge(status.lower(), color=COLORS.get(status, "grey-7")).props("rounded")


class DeliveryLog:
    def __init__(self, actor: Actor, hook: w.Webhook, manage: bool) -> None:
        self.actor = actor
        self.hook = hook
        self.manage = manage  # may redeliver
        self.page = 1
        self.box: ui.column | None = None

    def attach(self) -> None:
        """Place the (hidden) log here, below the card's buttons."""
        self.box = ui.column().classes("w-full gap-1").mark(f"deliveries-{self.hook.name}")
        self.box.set_visibility(False)

    async def toggle(self) -> None:
        assert self.box is not None
        self.box.set_visibility(not self.box.visible)
        if self.box.visible:
            await self.reload()

    async def reload(self) -> None:
        if self.box is None or not self.box.visible:
            return
        services = container().services
        result = await services.webhooks.deliveries(
            self.actor, self.hook.id, page=self.page, page_size=PAGE
        )
        self.box.clear()
        with self.box:
            error = ErrorLabel("delivery-error")
            if not result.items:
                ui.label("Nothing delivered yet.").classes("text-grey-7 text-sm").mark(
                    "no-deliveries"
                )
            for delivery in result.items:
                self._row(delivery, error)
            pages = max(1, math.ceil(result.total / PAGE))
            if pages > 1:
                ui.pagination(1, pages, value=self.page, on_change=self._turn).props(
                    "max-pages=5 boundary-numbers"
                )

    def _row(self, d: w.WebhookDelivery, error: ErrorLabel) -> None:
        row = ui.row().classes("w-full items-center gap-x-3 gap-y-0 py-1 border-b text-sm")
        row.props["data-delivery"] = d.id
        with row:
            chip(d.status).mark("delivery-status")
            ui.label(d.event_type).classes("font-mono").mark("delivery-event")
            ui.label(when(d.created_at)).classes("text-grey-7")
            code = f"HTTP {d.status_code}" if d.status_code is not None else "no answer"
            ui.label(code if d.attempts else "not tried yet").classes("text-grey-8")
            ui.label(f"{d.attempts} attempt{'s' if d.attempts != 1 else ''}").classes("text-grey-7")
            if d.duration_ms is not None:
                ui.label(f"{d.duration_ms} ms").classes("text-grey-7")
            if d.next_attempt_at is not None and d.attempts:
                ui.label(f"next try {when(d.next_attempt_at)}").classes("text-warning")
            if d.redelivery_of:
                ui.icon("replay").classes("text-grey-6").tooltip("a redelivery")
            ui.space()
            if self.manage and d.status in SETTLED and self.hook.is_active:
                ui.button(
                    "Redeliver", icon="replay", on_click=lambda x=d: self._redeliver(x, error)
                ).props("flat dense no-caps").mark("redeliver", f"redeliver-{d.id}")
        if d.error:
            ui.label(d.error).classes("text-negative text-xs pl-2 break-all").mark(
                "delivery-error-text"
            )

    async def _redeliver(self, d: w.WebhookDelivery, error: ErrorLabel) -> None:
        services = container().services
        done = await error.run(lambda: services.webhooks.redeliver(self.actor, self.hook.id, d.id))
        if done is not None:
            ui.notify(f"{d.event_type} queued again", type="positive")
            self.page = 1
            await self.reload()

    async def _turn(self, event: object) -> None:
        value = getattr(event, "value", None)
        if value and int(value) != self.page:
            self.page = int(value)
            await self.reload()
