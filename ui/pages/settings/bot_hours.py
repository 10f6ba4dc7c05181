"""The bot tab's business hours (a week grid → the seed's `businessHoursConfig`) and the
welcome / away / escalation message editors.

The grid edits one opening range per day, which is what nearly every shop has; extra ranges a
day got through the API are kept as they are unless that day is switched off.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from nicegui import ui

from app.domain import Actor
from app.domain import records as m
from app.domain.workspace_settings import DAYS
from ui.components import ErrorLabel
from ui.pages.settings._shell import section
from ui.pages.settings.bot_form import lock, save_button, submit

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                            "Saturday", "Sunday"), strict=True))  # fmt: skip
ZONES = sorted(available_timezones())


def config_of(tz: str, rows: dict[str, tuple[bool, str, str, list[Any]]]) -> dict[str, Any]:
    """Grid rows (day → open?, from, to, extra ranges) → `{timezone, days}`."""
    days = {d: [[start, end], *extra] for d, (on, start, end, extra) in rows.items() if on}
    return {"timezone": tz, "days": days}


def hours(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    config = view.business_hours_config or {}
    stored = config.get("days") or {}
    with section(
        "Business hours",
        "Outside these hours the bot puts the away message before its answer.",
    ):
        enabled = ui.switch("Use business hours", value=view.business_hours_enabled)
        enabled.mark("hours-enabled")
        tz = ui.select(
            ZONES, label="Timezone", value=config.get("timezone", "UTC"), with_input=True
        )
        tz.props("outlined dense").classes("w-full sm:w-72").mark("hours-timezone")
        grid: dict[str, tuple[ui.checkbox, ui.input, ui.input, list[Any]]] = {}
        with ui.column().classes("w-full gap-1").mark("hours-grid"):
            for day in DAYS:
                ranges = stored.get(day) or []
                first = ranges[0] if ranges else ["09:00", "17:00"]
                with ui.row().classes("w-full items-center gap-x-2 gap-y-0"):  # wraps on phones
                    on = ui.checkbox(DAY_NAMES[day], value=bool(ranges)).classes("w-32 shrink-0")
                    on.mark(f"day-{day}")
                    with ui.row().classes("items-center no-wrap gap-2"):
                        start = ui.input(value=first[0]).props("outlined dense type=time")
                        start.classes("w-32").mark(f"open-{day}")
                        start.props(f'aria-label="{DAY_NAMES[day]} opens"')
                        ui.label("–").classes("text-grey-7")
                        end = ui.input(value=first[1]).props("outlined dense type=time")
                        end.classes("w-32").mark(f"close-{day}")
                        end.props(f'aria-label="{DAY_NAMES[day]} closes"')
                    start.bind_enabled_from(on, "value")
                    end.bind_enabled_from(on, "value")
                grid[day] = (on, start, end, list(ranges[1:]))
        ui.label("A closing time before the opening time runs past midnight.").classes(
            "text-sm text-grey-7"
        )
        error = ErrorLabel("hours-error")

        def values() -> dict[str, Any]:
            rows = {
                d: (bool(on.value), start.value or "", end.value or "", extra)
                for d, (on, start, end, extra) in grid.items()
            }
            return {
                "business_hours_enabled": bool(enabled.value),
                "business_hours_config": config_of(tz.value or "UTC", rows),
            }

        save_button(
            "save-hours", lambda: submit(actor, error, values, "Business hours saved"), editable
        )
        lock(editable, enabled, tz, *(e for row in grid.values() for e in row[:3]))


def messages(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    with section("Messages", "Fixed texts the bot sends; leave one empty to send nothing."):
        fields = {}
        for key, label, hint in (
            ("welcome_message", "Welcome message", "Sent to a new contact's first message."),
            ("away_message", "Away message", "Sent before the answer outside business hours."),
            (
                "human_escalation_message",
                "Escalation message",
                "Sent when the chat is handed to a person.",
            ),
        ):
            box = ui.textarea(label, value=getattr(view, key) or "").props("outlined autogrow")
            box.classes("w-full").mark(key.replace("_", "-"))
            ui.label(hint).classes("text-sm text-grey-7 -mt-2")
            fields[key] = box
        error = ErrorLabel("messages-error")
        values = lambda: {k: (box.value or None) for k, box in fields.items()}  # noqa: E731
        save_button(
            "save-messages", lambda: submit(actor, error, values, "Messages saved"), editable
        )
        lock(editable, *fields.values())
