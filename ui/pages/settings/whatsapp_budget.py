"""The WhatsApp tab's send budget (issue 15.1): under each number, today's use (sent of the
day's limit, the warm-up stage), the per-minute limit and the last minute's sends, quiet hours
now, and whether the number is paused and why — with Resume, Pause and a Limits dialog for
whoever may change WhatsApp (the owner). A "Sending hours" card sets the workspace's time zone
and quiet hours (settings access).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import available_timezones

import msgspec
from nicegui import context, ui

from app.domain import Actor, Invalid, Resource
from app.domain import conversations as c
from app.domain.sending import SendBudgetView
from app.schemas.sending import BudgetPatchBody
from app.schemas.settings import SettingsPatchBody
from ui.components import ErrorLabel
from ui.pages.settings._shell import section
from ui.pages.settings.whatsapp_dialogs import dispose
from ui.state import container

B = TypeVar("B", bound=msgspec.Struct)


def body(kind: type[B], values: dict[str, Any]) -> B:
    """Form values keyed by field name → the API's body, checked as the API checks it."""
    names = {f.name: f.encode_name for f in msgspec.structs.fields(kind)}
    try:
        return msgspec.convert({names[k]: v for k, v in values.items()}, kind)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc).replace("`$.", "`")) from None


def line(
    actor: Actor,
    session: c.WhatsappSession,
    budget: SendBudgetView | None,
    manage: bool,
    changed: Callable[[], None],
) -> None:
    """One number's budget, drawn inside its row (full width, under the name)."""
    if budget is None:
        return
    mark = session.account_id
    page = context.client.layout  # the rows redraw (events, timer): dialogs live on the page
    with ui.column().classes("basis-full gap-1 pl-9").mark(f"budget-{mark}"):
        if budget.paused:
            with ui.row().classes("items-center gap-2 no-wrap"):
                ui.badge("paused", color="negative").props("rounded").mark(f"paused-{mark}")
                reason = budget.pause_reason or "paused"
                ui.label(reason).classes("text-sm text-negative break-all")
                if manage:
                    ui.button("Resume", icon="play_arrow", on_click=lambda: resume()).props(
                        "dense unelevated color=primary"
                    ).mark(f"resume-{mark}")
        with ui.row().classes("w-full items-center gap-x-4 gap-y-1 text-sm text-grey-8"):
            used = min(1.0, budget.sent_today / max(1, budget.limit_today))
            with ui.column().classes("gap-0 min-w-[12rem]"):
                ui.label(f"Today: {budget.sent_today} of {budget.limit_today} sent").mark(
                    f"today-{mark}"
                )
                ui.linear_progress(value=used, show_value=False).props(
                    f"rounded size=6px color={'negative' if used >= 1 else 'primary'}"
                )
            ui.label(
                f"{budget.per_minute}/min · {budget.sent_last_minute} in the last minute"
            ).mark(f"minute-{mark}")
            if budget.warmup is not None:
                ui.label(f"Warm-up day {budget.warmup.day + 1} of {budget.warmup.days}").mark(
                    f"warmup-{mark}"
                )
            if budget.quiet_hours_now:
                ui.badge("quiet hours", color="grey-7").props("outline rounded")
            if manage:
                ui.button("Limits", icon="tune", on_click=lambda: limits_dialog()).props(
                    "flat dense"
                ).mark(f"limits-{mark}")
                if not budget.paused:
                    ui.button("Pause", icon="pause", on_click=lambda: pause()).props(
                        "flat dense color=negative"
                    ).mark(f"pause-{mark}")
    budgets = container().services.send_budgets

    async def resume() -> None:
        await budgets.resume(actor, session.id)
        ui.notify(f"{session.account_id} sends again", type="positive")
        changed()

    async def pause() -> None:
        await budgets.pause(actor, session.id, None)
        ui.notify(f"{session.account_id} paused: queued messages wait", type="warning")
        changed()

    def limits_dialog() -> None:
        with page:
            _limits(actor, session, budget, changed)


def _limits(
    actor: Actor, session: c.WhatsappSession, budget: SendBudgetView, changed: Callable[[], None]
) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-2").mark("limits-dialog"):
        ui.label(f"Send limits of {session.account_id}").classes("text-lg font-semibold")
        ui.label(
            "Replies to customers who write always go (within the per-minute limit). The daily "
            "budget holds what the number starts itself: flows, sending first, broadcasts."
        ).classes("text-sm text-grey-7")

        def number(label: str, value: int, marker: str, lo: int = 1) -> ui.number:
            field = ui.number(label, value=value, min=lo, precision=0, format="%d")
            return field.props("outlined dense").classes("w-full").mark(marker)

        per_minute = number("Messages per minute", budget.per_minute, "per-minute")
        per_day = number("Messages we start per day", budget.per_day, "per-day")
        cold = number("…of them to people who never wrote", budget.cold_per_day, "cold", 0)
        warmup = ui.switch("Warm-up for a newly linked number", value=budget.warmup_enabled)
        warmup.mark("warmup-switch")
        with ui.row().classes("w-full no-wrap gap-2").bind_visibility_from(warmup, "value"):
            start = number("First day", budget.warmup_start_per_day, "warmup-start")
            days = number("Days to full budget", budget.warmup_days, "warmup-days")
        error = ErrorLabel("limits-error")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Save", on_click=lambda: save()).props("unelevated").mark("save-limits")

        async def save() -> None:
            def whole(field: ui.number) -> int | None:
                return int(field.value) if field.value is not None else None

            values = {
                "per_minute": whole(per_minute),
                "per_day": whole(per_day),
                "cold_per_day": whole(cold),
                "warmup_enabled": bool(warmup.value),
                "warmup_start_per_day": whole(start),
                "warmup_days": whole(days),
            }

            async def call() -> SendBudgetView:
                patch = body(BudgetPatchBody, values)
                return await container().services.send_budgets.update(actor, session.id, patch)

            saved = await error.run(call)
            if saved is not None:
                dialog.close()
                ui.notify("Limits saved", type="positive")
                changed()

    dispose(dialog)
    dialog.open()


async def sending_hours(actor: Actor) -> None:
    """The workspace's time zone and quiet hours (when nothing but replies goes out)."""
    services = container().services
    current = await services.settings.get(actor)
    editable = actor.may(Resource.SETTINGS, write=True)
    hint = (
        "During quiet hours only replies to customers who write go out; flows, sending first "
        "and broadcasts wait until they end. The day of the send budget is this time zone's."
    )
    with section("Sending hours", hint).mark("sending-hours"):
        zones = sorted(available_timezones())
        zone = ui.select(zones, label="Time zone", value=current.timezone, with_input=True)
        zone.props("outlined dense").classes("w-full max-w-sm").mark("timezone")
        quiet = ui.switch("Quiet hours", value=current.quiet_hours_enabled).mark("quiet-switch")
        with ui.row().classes("items-center gap-2").bind_visibility_from(quiet, "value"):
            start = ui.input("From", value=current.quiet_hours_start).props("outlined dense")
            start.classes("w-28").mark("quiet-start")
            end = ui.input("To", value=current.quiet_hours_end).props("outlined dense")
            end.classes("w-28").mark("quiet-end")
        words = (
            ui.input(
                "Opt-out words (besides STOP, UNSUBSCRIBE, BAJA, PARAR, ROKO)",
                value=", ".join(current.opt_out_words),
            )
            .props("outlined dense")
            .classes("w-full max-w-xl")
            .mark("opt-out-words")
        )
        ui.label(
            "A contact who writes only one of these words is opted out of broadcasts and told "
            "so once, in their language."
        ).classes("text-xs text-grey-7")
        error = ErrorLabel("hours-error")
        for field in (zone, quiet, start, end, words):
            field.set_enabled(editable)
        if editable:
            ui.button("Save", on_click=lambda: save()).props("unelevated").mark("save-hours")

        async def save() -> None:
            values = {
                "timezone": str(zone.value or "UTC"),
                "quiet_hours_enabled": bool(quiet.value),
                "quiet_hours_start": (start.value or "").strip(),
                "quiet_hours_end": (end.value or "").strip(),
                "opt_out_words": [w.strip() for w in (words.value or "").split(",") if w.strip()],
            }

            async def call() -> Any:
                return await services.settings.update(actor, body(SettingsPatchBody, values))

            if await error.run(call) is not None:
                ui.notify("Sending hours saved", type="positive")
