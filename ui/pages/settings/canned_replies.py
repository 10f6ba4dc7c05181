"""Canned replies tab (issue 17): the workspace's saved answers — add, edit, delete — that
agents insert in the inbox by typing `/shortcut`; and whether the customer is asked for a
rating (CSAT) after a conversation is resolved.

Texts may use `{{contact.name}}`, `{{contact.phone}}`, `{{contact.fields.<key>}}`,
`{{agent.name}}` and `{{workspace.name}}`; the service refuses a name no contact can have, so a
typo shows here instead of reaching a customer as "Hi ,".
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import agent_tools as t
from app.domain import records as m
from ui.components import ErrorLabel, confirm
from ui.pages.settings._shell import section, settings_page
from ui.pages.settings.bot_form import lock, save_button, submit
from ui.state import container

HINT = (
    "Saved answers your team inserts in the inbox by typing / and the shortcut. Variables: "
    "{{contact.name}}, {{contact.phone}}, {{contact.fields.<key>}}, {{agent.name}}, "
    "{{workspace.name}} — filled for the conversation's contact; the agent can edit the text "
    "before sending."
)
CSAT_HINT = (
    "After a conversation is resolved, ask the customer to rate it from 1 to 5 (in their "
    "language unless you write your own question). Their answer is stored on the conversation "
    "and counted in Analytics; it does not reopen the conversation."
)


def create() -> None:
    @settings_page("canned")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        manage = actor.may(Resource.CANNED_REPLIES, write=True)
        with ui.column().classes("w-full gap-4 max-w-3xl"):
            await replies(actor, manage)
            csat(actor, await container().services.settings.get(actor), manage)


async def replies(actor: Actor, manage: bool) -> None:
    services = container().services

    @ui.refreshable
    async def listing() -> None:
        listed = await services.canned_replies.list(actor)
        if not listed:
            ui.label("No canned replies yet.").classes("text-grey-7").mark("no-canned")
        for reply in listed:
            card = ui.card().classes("w-full gap-1").props("flat bordered")
            card.props["data-shortcut"] = reply.shortcut
            with card, ui.row().classes("w-full items-start gap-2 no-wrap"):
                with ui.column().classes("gap-0 grow min-w-0"):
                    with ui.row().classes("items-center gap-2"):
                        ui.label(f"/{reply.shortcut}").classes("font-mono font-medium").mark(
                            "canned-shortcut"
                        )
                        ui.label(reply.title).classes("text-grey-8")
                    ui.label(reply.text).classes("text-sm text-grey-7 whitespace-pre-wrap")
                if manage:
                    ui.button(icon="edit", on_click=lambda r=reply: edit(r)).props(
                        "flat round dense aria-label=Edit"
                    ).mark(f"edit-canned-{reply.shortcut}")
                    ui.button(icon="delete", on_click=lambda r=reply: delete(r)).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).mark(f"delete-canned-{reply.shortcut}")

    def edit(reply: t.CannedReply | None = None) -> None:
        with (
            ui.dialog() as dialog,
            ui.card().classes("w-full max-w-lg gap-3").mark("canned-dialog"),
        ):
            ui.label("Edit canned reply" if reply else "New canned reply").classes(
                "text-lg font-semibold"
            )
            shortcut = ui.input("Shortcut", value=reply.shortcut if reply else "")
            shortcut.props("outlined prefix=/ autofocus").classes("w-full").mark(
                "canned-shortcut-in"
            )
            title = ui.input("Title", value=reply.title if reply else "")
            title.props("outlined").classes("w-full").mark("canned-title")
            text = ui.textarea("Text", value=reply.text if reply else "")
            text.props("outlined autogrow").classes("w-full").mark("canned-text")
            error = ErrorLabel("canned-error")

            def close() -> None:  # gone, not hidden: the next dialog's fields are the only ones
                dialog.close()
                dialog.delete()

            async def save() -> None:
                async def call() -> t.CannedReply:
                    values = (shortcut.value or "", title.value or "", text.value or "")
                    if reply is None:
                        return await services.canned_replies.create(actor, *values)
                    return await services.canned_replies.update(
                        actor, reply.id, shortcut=values[0], title=values[1], text=values[2]
                    )

                if await error.run(call) is not None:
                    close()
                    ui.notify("Canned reply saved", type="positive")
                    listing.refresh()

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=close).props("flat")
                ui.button("Save", on_click=save).props("unelevated").mark("save-canned")
        dialog.open()

    async def delete(reply: t.CannedReply) -> None:
        if not await confirm(f"Delete /{reply.shortcut}?", reply.title, action="Delete"):
            return
        await services.canned_replies.delete(actor, reply.id)
        ui.notify(f"Deleted /{reply.shortcut}", type="positive")
        listing.refresh()

    with section("Canned replies", HINT) as s:
        if manage:
            with s.actions:
                ui.button("Add reply", icon="add", on_click=lambda: edit()).props(
                    "unelevated"
                ).mark("add-canned")
        with ui.column().classes("w-full gap-2").mark("canned-replies"):
            await listing()


def csat(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    with section("Customer satisfaction (CSAT)", CSAT_HINT):
        on = ui.switch("Ask for a rating after resolving", value=view.csat_enabled)
        on.mark("csat-enabled")
        question = ui.input("Your own question (optional)", value=view.csat_question or "")
        question.props("outlined").classes("w-full").mark("csat-question")
        thanks = ui.input("Your own thank-you (optional)", value=view.csat_thanks or "")
        thanks.props("outlined").classes("w-full").mark("csat-thanks")
        error = ErrorLabel("csat-error")
        values = lambda: {  # noqa: E731
            "csat_enabled": bool(on.value),
            "csat_question": (question.value or "").strip() or None,
            "csat_thanks": (thanks.value or "").strip() or None,
        }
        save_button("save-csat", lambda: submit(actor, error, values, "CSAT saved"), editable)
        lock(editable, on, question, thanks)
