"""Team tab (seed §7 TeamInviteModal, §14 team: OWNER changes, ADMIN reads, others nothing).

Invite links are shown in the dialog because SMTP may not be configured (desktop, first run):
the owner can send the link themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor, Resource, Role
from app.domain import records as m
from ui.components import ErrorLabel, SecretBox, confirm
from ui.components.format import day, when
from ui.pages.settings._shell import section, settings_page
from ui.state import container

ROLE_HELP = {
    Role.OWNER: "Owner — everything, including team, WhatsApp numbers and billing",
    Role.ADMIN: "Admin — runs the bot and settings; sees the team",
    Role.AGENT: "Agent — answers conversations; reads contacts and knowledge",
    Role.VIEWER: "Viewer — reads everything they can see, changes nothing",
}


def create() -> None:
    @settings_page("team")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        services = container().services
        manage = actor.may(Resource.TEAM, write=True)

        @ui.refreshable
        async def members() -> None:
            for member in await services.workspaces.members(actor, ws.id):
                _member_row(member, actor, manage, change_role, remove)

        @ui.refreshable
        async def invites() -> None:
            pending = await services.invites.pending(actor, ws.id)
            if not pending:
                ui.label("No pending invitations.").classes("text-grey-7").mark("no-invites")
            for invite in pending:
                row = ui.row().classes(
                    "w-full items-center gap-x-4 gap-y-0 py-1 border-b border-gray-200"
                )
                row.props["data-invite"] = invite.email
                with row:
                    ui.label(invite.email).classes("grow font-medium").mark("invite-email")
                    ui.badge(str(invite.role).title()).props("outline color=grey-8")
                    ui.label(f"expires {day(invite.expires_at)}").classes("text-grey-7 text-sm")
                    if manage:
                        ui.button(icon="close", on_click=lambda i=invite: revoke(i)).props(
                            "flat round dense aria-label=Revoke"
                        ).tooltip("Revoke invitation").mark("revoke-invite")

        async def change_role(member: m.Member, role: Role) -> None:
            if role == member.role:
                return
            changed = await error.run(
                lambda: services.workspaces.set_role(actor, ws.id, member.user_id, role)
            )
            if changed:
                ui.notify(f"{member.name} is now {str(role).lower()}", type="positive")
            members.refresh()

        async def remove(member: m.Member) -> None:
            if not await confirm(
                f"Remove {member.name}?",
                f"{member.email} loses access to {ws.name} at once.",
                action="Remove",
            ):
                return
            if await error.run(lambda: _removed(actor, ws.id, member.user_id)):
                ui.notify(f"{member.name} removed", type="positive")
                members.refresh()

        async def revoke(invite: m.Invite) -> None:
            if not await confirm(f"Revoke the invitation to {invite.email}?", action="Revoke"):
                return
            if await error.run(lambda: _revoked(actor, ws.id, invite.id)):
                invites.refresh()

        with section("Members", "" if manage else "Only an owner can invite or change roles.") as s:
            if manage:
                with s.actions:
                    ui.button(
                        "Invite",
                        icon="person_add",
                        on_click=lambda: invite_dialog(actor, ws, invites),
                    ).props("unelevated").mark("invite")
            error = ErrorLabel("team-error")
            with ui.column().classes("w-full gap-0").mark("members"):
                await members()
        with section("Pending invitations"):
            with ui.column().classes("w-full gap-0").mark("invites"):
                await invites()


async def _removed(actor: Actor, ws_id: str, user_id: str) -> bool:
    await container().services.workspaces.remove_member(actor, ws_id, user_id)
    return True


async def _revoked(actor: Actor, ws_id: str, invite_id: str) -> bool:
    await container().services.invites.revoke(actor, ws_id, invite_id)
    return True


def _member_row(
    member: m.Member,
    actor: Actor,
    manage: bool,
    change_role: Callable[[m.Member, Role], Awaitable[None]],
    remove: Callable[[m.Member], Awaitable[None]],
) -> None:
    you = " (you)" if member.user_id == actor.user_id else ""
    row = (
        ui.row()
        .classes("w-full items-center gap-x-4 gap-y-1 py-2 border-b border-gray-200")
        .mark("member")
    )
    row.props["data-member"] = member.email
    with row:
        with ui.column().classes("gap-0 grow min-w-0"):
            ui.label(f"{member.name}{you}").classes("font-medium")
            ui.label(member.email).classes("text-grey-7 text-sm break-all")
        if manage:
            ui.select(
                {r: r.value.title() for r in Role},
                value=member.role,
                on_change=lambda e, mem=member: change_role(mem, e.value),
            ).props("dense outlined options-dense aria-label=Role").classes("w-32").mark(
                f"role-{member.email}"
            )
        else:
            ui.badge(str(member.role).title()).props("outline").mark(f"role-{member.email}")
        ui.label(f"joined {day(member.joined_at)}").classes("text-grey-7 text-sm").tooltip(
            when(member.joined_at)
        )
        if manage and not you:  # no remove on your own row: an owner cannot remove themself
            ui.button(icon="person_remove", on_click=lambda mem=member: remove(mem)).props(
                "flat round dense color=negative aria-label=Remove"
            ).tooltip("Remove from workspace").mark(f"remove-{member.email}")


def _sent_how(email: str) -> str:
    if container().settings.smtp_host:
        return f"We emailed the invitation to {email}. You can also share the link yourself:"
    return f"Email is not set up on this server, so send {email} this link yourself:"


def invite_dialog(actor: Actor, ws: m.Workspace, invites: ui.refreshable) -> None:
    """TeamInviteModal: email + role; then the link, shown once."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-3").mark("invite-dialog"):
        ui.label(f"Invite to {ws.name}").classes("text-lg font-semibold")
        email = ui.input("Email").props("type=email outlined autofocus").classes("w-full")
        email.mark("invite-email-input")
        role = ui.select({r: r.value.title() for r in Role}, value=Role.AGENT, label="Role")
        role.props("outlined").classes("w-full").mark("invite-role")
        hint = ui.label(ROLE_HELP[Role.AGENT]).classes("text-grey-7 text-sm -mt-2")
        role.on_value_change(lambda e: hint.set_text(ROLE_HELP.get(e.value, "")))
        error = ErrorLabel("invite-error")
        result = ui.column().classes("w-full gap-2")
        with ui.row().classes("w-full justify-end gap-2") as buttons:
            ui.button("Cancel", on_click=dialog.close).props("flat")
            send = ui.button("Send invitation").props("unelevated").mark("send-invite")

        async def submit() -> None:
            invite = await error.run(
                lambda: container().services.invites.invite(
                    actor, ws.id, email.value or "", role.value or Role.AGENT
                )
            )
            if invite is None:
                return
            invites.refresh()
            email.disable()
            role.disable()
            buttons.clear()
            with buttons:
                ui.button("Done", on_click=dialog.close).props("unelevated").mark("done")
            with result:
                ui.label(_sent_how(invite.email)).classes("text-sm").mark("invite-sent")
                SecretBox(
                    "Invite link",
                    invite.invite_url or "",
                    "The link is shown only now. It works once, for this email address.",
                    marker="invite-link",
                )

        send.on_click(submit)
        email.on("keydown.enter", submit)
    dialog.on("hide", dialog.delete)
    dialog.open()
