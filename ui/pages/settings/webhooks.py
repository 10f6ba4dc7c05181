"""Webhooks tab (issue 16): the workspace's webhooks — where each posts, what it hears, whether
it works — with Send test, edit, on/off, delete, and each one's delivery log.

A webhook the sender switched off says why (its receiver failed too often, or answered 410);
switching it on again starts afresh. The signing secret is shown once, in the dialog that
creates or renews it (`webhook_dialogs.py`); the log with its status chips and Redeliver is
`webhook_log.py`.
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import records as m
from app.domain import webhooks as w
from app.schemas.webhooks import WebhookPatchBody
from ui.components import ErrorLabel, busy, confirm
from ui.components.format import when
from ui.pages.settings import webhook_dialogs as dialogs
from ui.pages.settings import webhook_log
from ui.pages.settings._shell import section, settings_page
from ui.state import container

HINT = (
    "Post what happens here — new messages, conversations, contacts — to your own URL (n8n, "
    "Zapier, a CRM). Each request is signed with the webhook's secret (X-Aimy-Signature); "
    "failed deliveries are retried for about 9 hours."
)


def create() -> None:
    @settings_page("webhooks")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        services = container().services
        manage = actor.may(Resource.SETTINGS, write=True)
        types = await services.webhooks.event_types(actor)

        @ui.refreshable
        async def hooks() -> None:
            listed = await services.webhooks.list(actor)
            if not listed:
                ui.label("No webhooks yet.").classes("text-grey-7").mark("no-webhooks")
            for hook in listed:
                _row(hook)

        def _row(hook: w.Webhook) -> None:
            card = ui.card().classes("w-full gap-2").props("flat bordered")
            card.props["data-webhook"] = hook.name
            with card:
                with ui.row().classes("w-full items-center gap-2 no-wrap"):
                    with ui.column().classes("gap-0 grow min-w-0"):
                        ui.label(hook.name).classes("font-medium").mark("webhook-name")
                        ui.label(hook.url).classes("font-mono text-sm text-grey-8 break-all")
                    _state(hook)
                with ui.row().classes("w-full items-center gap-1"):
                    shown = ["All events"] if "*" in hook.events else hook.events
                    for event_type in shown:
                        ui.chip(event_type).props("dense outline square").classes("text-xs")
                with ui.row().classes("w-full items-center gap-4 text-sm text-grey-7"):
                    ui.label(f"last called {when(hook.last_called_at, 'never')}")
                    if hook.failure_count:
                        ui.label(f"{hook.failure_count} failed in a row").classes(
                            "text-negative"
                        ).mark(f"failures-{hook.name}")
                if hook.disabled_reason:
                    ui.label(f"Switched off: {hook.disabled_reason}").classes(
                        "text-negative text-sm"
                    ).mark(f"disabled-{hook.name}")
                with ui.row().classes("w-full items-center gap-1"):
                    log = webhook_log.DeliveryLog(actor, hook, manage)
                    if manage:
                        test = ui.button("Send test", icon="send").props("flat dense no-caps")
                        test.on_click(lambda b=test, h=hook, lg=log: send_test(b, h, lg))
                        test.mark(f"test-{hook.name}")
                        ui.button(
                            "Edit",
                            icon="edit",
                            on_click=lambda h=hook: dialogs.edit(actor, types, hooks.refresh, h),
                        ).props("flat dense no-caps").mark(f"edit-{hook.name}")
                        on = ui.switch("On", value=hook.is_active).mark(f"active-{hook.name}")
                        on.on_value_change(lambda e, h=hook: switch(h, bool(e.value)))
                        ui.space()
                        ui.button(icon="delete", on_click=lambda h=hook: delete(h)).props(
                            "flat round dense color=negative aria-label=Delete"
                        ).tooltip("Delete").mark(f"delete-{hook.name}")
                    ui.button("Deliveries", icon="receipt_long", on_click=log.toggle).props(
                        "flat dense no-caps"
                    ).mark(f"log-{hook.name}")
                log.attach()

        async def send_test(
            button: ui.button, hook: w.Webhook, log: webhook_log.DeliveryLog
        ) -> None:
            with busy(button):
                result = await error.run(lambda: services.webhooks.test(actor, hook.id))
            if result is None:
                return
            if result.ok:
                ui.notify(
                    f"{hook.name} answered {result.status_code} in {result.duration_ms} ms",
                    type="positive",
                )
            else:
                what = result.error or f"status {result.status_code}"
                ui.notify(f"{hook.name} did not accept the test: {what}", type="negative")
            await log.reload()

        async def switch(hook: w.Webhook, on: bool) -> None:
            if on == hook.is_active:
                return
            body = WebhookPatchBody(is_active=on)
            if await error.run(lambda: services.webhooks.update(actor, hook.id, body)):
                ui.notify(f"{hook.name} is {'on' if on else 'off'}", type="positive")
            hooks.refresh()

        async def delete(hook: w.Webhook) -> None:
            if not await confirm(
                f"Delete “{hook.name}”?",
                "Nothing more is sent to it, and its delivery log goes too.",
                action="Delete",
            ):
                return
            if await error.run(lambda: _delete(hook)):
                ui.notify(f"Deleted {hook.name}", type="positive")
                hooks.refresh()

        async def _delete(hook: w.Webhook) -> bool:
            await services.webhooks.delete(actor, hook.id)
            return True

        with section("Webhooks", HINT) as s:
            if manage:
                with s.actions:
                    ui.button(
                        "Add webhook",
                        icon="add",
                        on_click=lambda: dialogs.edit(actor, types, hooks.refresh),
                    ).props("unelevated").mark("add-webhook")
            error = ErrorLabel("webhooks-error")
            with ui.column().classes("w-full gap-3").mark("webhooks"):
                await hooks()


def _state(hook: w.Webhook) -> None:
    if hook.is_active:
        ui.badge("on", color="positive").props("rounded").mark(f"state-{hook.name}")
    else:
        ui.badge("off", color="grey-7").props("rounded").mark(f"state-{hook.name}")
