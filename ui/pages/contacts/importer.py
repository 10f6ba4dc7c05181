"""The contacts page's "Import CSV" dialog (issue 15.4): choose a file (and, for numbers
written without a country code, the country), see the preview — how many contacts are new or
updated, the first rows as they will be stored, every rejected row with why — then import.

The preview is the same service call as the import with `dry_run`; nothing is written until
"Import" is pressed, and the file is read once, in memory (10 000 rows at most).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, ui

from app.domain import Actor
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.state import container

MAX_CSV_BYTES = 5 * 2**20
COUNTRIES = {
    "": "None: numbers carry their country code",
    "DE": "Germany", "AT": "Austria", "CH": "Switzerland", "FR": "France", "ES": "Spain",
    "IT": "Italy", "PT": "Portugal", "NL": "Netherlands", "GB": "United Kingdom",
    "US": "United States", "BR": "Brazil", "MX": "Mexico", "IN": "India", "ID": "Indonesia",
    "NG": "Nigeria", "ZA": "South Africa", "TR": "Türkiye", "PL": "Poland",
}  # fmt: skip


def open_dialog(actor: Actor, done: Callable[[], Awaitable[None]]) -> None:
    importer = container().services.contact_import
    state: dict[str, Any] = {"data": None, "name": ""}
    with (
        context.client.layout,
        ui.dialog() as dialog,
        ui.card().classes("w-full max-w-3xl gap-3").mark("import-dialog"),
    ):
        ui.label("Import contacts from CSV").classes("text-lg font-semibold")
        ui.label(
            "A first line naming the columns: phone (or number, mobile, whatsapp), and if you "
            "like name, labels (separated by ;), notes, language — any other column becomes a "
            "custom field. Known numbers are updated; labels are added, nothing is removed."
        ).classes("text-sm text-grey-7")

        async def received(event: Any) -> None:
            data = await event.file.read()
            upload.reset()
            if len(data) > MAX_CSV_BYTES:
                error.show("That file is over 5 MB; split it into smaller files.")
                return
            state["data"], state["name"] = data, event.file.name
            await preview()

        with ui.row().classes("w-full items-center gap-3"):
            upload = ui.upload(on_upload=received, auto_upload=True, max_files=1)
            upload.props("accept=.csv,text/csv flat bordered dense").classes("w-64")
            upload.mark("import-upload")
            country = ui.select(COUNTRIES, value="", label="Country of numbers without +")
            country.props("outlined dense options-dense").classes("w-64").mark("import-country")
            country.on_value_change(lambda: preview() if state["data"] else None)
        error = ErrorLabel("import-error")
        report = ui.column().classes("w-full gap-2").mark("import-report")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            go = ui.button("Import", icon="upload", on_click=lambda: run()).props("unelevated")
            go.mark("import-run").disable()

        async def call(dry_run: bool) -> c.ContactImport | None:
            return await error.run(
                lambda: importer.run(
                    actor, state["data"], dry_run=dry_run, default_country=country.value or None
                )
            )

        async def preview() -> None:
            go.disable()
            result = await call(True)
            report.clear()
            if result is None:
                return
            with report:
                _report(result, state["name"])
            if result.created or result.updated:
                go.enable()

        async def run() -> None:
            go.disable()
            result = await call(False)
            if result is None:
                go.enable()
                return
            dialog.close()
            ui.notify(
                f"Imported: {result.created} new, {result.updated} updated, "
                f"{result.rejected} rejected",
                type="positive",
            )
            await done()

    dialog.open()


def _report(result: c.ContactImport, name: str) -> None:
    ui.label(
        f"{name}: {result.total} rows — {result.created} new, {result.updated} updated, "
        f"{result.rejected} rejected"
    ).classes("font-medium").mark("import-summary")
    if result.new_labels:
        ui.label("New labels: " + ", ".join(result.new_labels)).classes("text-sm")
    if result.custom_fields:
        ui.label("Custom fields: " + ", ".join(result.custom_fields)).classes("text-sm")
    if result.preview:
        rows = [
            {
                "line": r.line,
                "phone": r.phone_number,
                "name": r.name or "",
                "labels": ", ".join(r.labels),
                "state": "update" if r.exists else "new",
            }
            for r in result.preview
        ]
        columns = [{"name": k, "label": k.title(), "field": k, "align": "left"} for k in rows[0]]
        ui.table(columns=columns, rows=rows, row_key="line").props("dense flat").classes(
            "w-full"
        ).mark("import-preview")
    if result.rejected_rows:
        ui.label("Rejected rows").classes("text-sm font-medium text-negative")
        rows = [
            {"line": r.line, "value": r.value, "reason": r.reason} for r in result.rejected_rows
        ]
        columns = [{"name": k, "label": k.title(), "field": k, "align": "left"} for k in rows[0]]
        ui.table(columns=columns, rows=rows, row_key="line", pagination=10).props(
            "dense flat"
        ).classes("w-full").mark("import-rejected")
