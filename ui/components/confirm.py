"""A yes/no dialog to await before anything destructive (remove a member, revoke a key)."""

from __future__ import annotations

from nicegui import ui


async def confirm(question: str, detail: str = "", *, action: str = "Confirm") -> bool:
    """Ask; True only when the user clicks `action` (Escape, Cancel or a click outside is no)."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-sm gap-3").mark("confirm-dialog"):
        ui.label(question).classes("text-lg font-semibold")
        if detail:
            ui.label(detail).classes("text-grey-8")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(action, on_click=lambda: dialog.submit(True)).props(
                "color=negative unelevated"
            ).mark("confirm-ok")
    dialog.open()
    try:
        return bool(await dialog)
    finally:
        if not dialog.is_deleted:  # its parent may have gone meanwhile (a redrawn list)
            dialog.delete()
