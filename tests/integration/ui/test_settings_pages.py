"""Settings pages driven through NiceGUI's User simulation: forms, errors, role visibility."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import ElementFilter, ui
from nicegui.testing.user import User

from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard


async def _click(user: User, marker: str) -> None:
    """Click what a handler is about to show (handlers run as background tasks)."""
    await user.should_see(marker=marker)
    user.find(marker=marker).click()


async def _settle(user: User) -> None:
    """Let handlers the simulation fired as background tasks finish."""
    for _ in range(5):
        await asyncio.sleep(0.02)


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Poll `check` (handlers run as background tasks; a loaded machine makes them late)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


async def test_owner_sees_every_tab_and_the_index_redirects(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings")
    await user.should_see(marker="workspace-name")
    for tab in ("workspace", "team", "api", "audit", "bot", "whatsapp", "webhooks", "billing"):
        await user.should_see(marker=f"tab-{tab}")


async def test_agent_and_viewer_get_no_settings(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    for email in ("agent@example.com", "viewer@example.com"):
        user = await dashboard.signed_in(email)
        user.client = None
        await _choose(dashboard, user, owner)
        for path in ("team", "api", "audit", "workspace"):
            await user.open(f"/dashboard/settings/{path}")
            await user.should_see(marker="forbidden")
            await user.should_see("doesn't give access")
            await user.should_not_see(marker="settings-tabs")
        with user:  # not in the sidebar either
            links = {e.props.get("href") for e in ElementFilter(kind=ui.link, local_scope=False)}
        assert "/dashboard/inbox" in links and "/dashboard/settings" not in links


async def _choose(dashboard: Dashboard, user: User, owner) -> None:  # type: ignore[no-untyped-def]
    """Switch the signed-in member to the owner's workspace (their own is first)."""
    from ui import session

    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)


async def test_admin_reads_team_but_cannot_change_it(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", "Olga")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    user = await dashboard.signed_in("admin@example.com")
    await _choose(dashboard, user, owner)
    await user.open("/dashboard/settings/team")
    await user.should_see("Olga")
    await user.should_see("Only an owner can invite or change roles.")
    await user.should_not_see(marker="invite")
    await user.should_not_see(marker="remove-owner@example.com")
    await user.should_not_see(kind=ui.select, marker="role-owner@example.com")
    await user.should_see(kind=ui.badge, marker="role-owner@example.com")
    await user.should_not_see(marker="tab-billing")  # billing is the owner's alone
    await user.open("/dashboard/settings/api")  # settings: ADMIN may write
    await user.should_see(marker="create-key")


async def test_invite_shows_the_link_once_and_lists_it_pending(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/team")
    await user.should_see(marker="no-invites")
    user.find(marker="invite").click()
    await user.should_see(marker="invite-dialog")
    user.find(marker="invite-email-input").type("not-an-email")
    user.find(marker="send-invite").click()
    await user.should_see(marker="invite-error")
    user.find(marker="invite-email-input").clear().type("new.agent@example.com")
    user.find(marker="send-invite").click()
    await user.should_see(marker="invite-link")
    link = next(iter(user.find(marker="invite-link").elements)).value
    assert "/accept-invite?token=inv_" in link
    await user.should_see(content="new.agent@example.com", marker="invite-email")
    user.find(marker="done").click()
    user.find(marker="revoke-invite").click()
    await _click(user, "confirm-ok")
    await user.should_see(marker="no-invites")


async def test_role_change_and_last_owner_error(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/team")
    with user:
        next(iter(user.find(marker="role-agent@example.com").elements)).value = Role.ADMIN
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)

    async def agent_is_admin() -> bool:
        members = await dashboard.container.services.workspaces.members(actor, owner.workspace.id)  # type: ignore[union-attr]
        return {x.email: x.role for x in members}["agent@example.com"] == Role.ADMIN

    await _eventually(agent_is_admin)
    await _eventually(lambda: _select_shows(user, "role-agent@example.com", Role.ADMIN))
    with user:  # the list has been redrawn: change the owner's select of the new list
        next(iter(user.find(marker="role-owner@example.com").elements)).value = Role.VIEWER
    await user.should_see("at least one owner", retries=50)
    # the list is redrawn from the service's truth: still owner
    await _eventually(lambda: _select_shows(user, "role-owner@example.com", Role.OWNER))


async def _select_shows(user: User, marker: str, role: Role) -> bool:
    with user:
        found = list(ElementFilter(kind=ui.select, marker=marker, local_scope=False))
    return len(found) == 1 and found[0].value == role


async def test_remove_member_after_confirm(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/team")
    await user.should_see(marker="remove-agent@example.com")
    await user.should_not_see(marker="remove-owner@example.com")  # not oneself
    user.find(marker="remove-agent@example.com").click()
    await user.should_see("Remove Agent?")
    user.find("Cancel").click()
    await _settle(user)
    await user.should_see(marker="remove-agent@example.com")
    user.find(marker="remove-agent@example.com").click()
    await _click(user, "confirm-ok")
    await user.should_not_see(marker="remove-agent@example.com")


async def test_api_key_create_shows_key_once_then_revoke(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/api")
    await user.should_see(marker="no-keys")
    user.find(marker="create-key").click()
    user.find(marker="create").click()
    await user.should_see("name must have 1 to 100 characters")
    user.find(marker="key-name").type("CRM sync")
    user.find(marker="key-expires").type("2001-01-01")
    user.find(marker="create").click()
    await user.should_see("must be in the future")
    user.find(marker="key-expires").clear().type("31.12.2099")
    user.find(marker="create").click()
    await user.should_see("must look like 2027-01-31")
    user.find(marker="key-expires").clear().type("2099-12-31")
    user.find(marker="create").click()
    await user.should_see(marker="new-key")
    key = next(iter(user.find(marker="new-key").elements)).value
    assert key.startswith("aimy_")
    await user.should_see("only time it is shown")
    user.find(marker="done").click()
    await user.should_see(content="CRM sync", marker="api-key")
    await user.should_see("expires 2099-12-31")
    await user.open("/dashboard/settings/api")  # reopened: the full key is nowhere
    await user.should_not_see(key)
    await user.should_see(f"{key[:13]}…")  # aimy_ + the 8-character preview
    user.find(marker="revoke-CRM sync").click()
    await _click(user, "confirm-ok")
    await user.should_see(marker="no-keys")


async def test_workspace_rename_and_validation(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com", ws="Old name")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/workspace")
    user.find(marker="workspace-name").clear()
    user.find(marker="save").click()
    await user.should_see("workspace name must not be empty")
    user.find(marker="workspace-name").type("New name")
    user.find(marker="workspace-logo").type("ftp://logo")
    user.find(marker="save").click()
    await user.should_see("logoUrl must be an http(s) URL")
    user.find(marker="workspace-logo").clear().type("https://example.com/logo.png")
    user.find(marker="save").click()
    await user.should_see("Workspace saved")
    switcher = next(iter(user.find(marker="workspace-switcher").elements))
    assert "New name" in switcher.options.values()  # type: ignore[attr-defined]
    await user.open("/dashboard/settings/workspace")
    field = next(iter(user.find(marker="workspace-name").elements))
    assert field.value == "New name"


async def test_audit_log_lists_and_filters(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", "Olga")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/audit")
    table = next(iter(user.find(kind=ui.table).elements))
    actions = [row["action"] for row in table.rows]
    assert "member.invite" in actions and "member.join" in actions
    invite = next(r for r in table.rows if r["action"] == "member.invite")
    assert invite["actor"] == "Olga" and invite["entity"] == "invite agent@example.com"
    user.find(marker="audit-filter").type("member.join")

    async def filtered() -> bool:
        return [row["action"] for row in table.rows] == ["member.join"]

    await _eventually(filtered)


async def test_audit_pages_and_names_role_changes(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", "Olga", ws="W")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    for i in range(25):
        await services.workspaces.update(actor, owner.workspace.id, name=f"W{i}", logo_url=None)
    agent = next(
        x
        for x in await services.workspaces.members(actor, owner.workspace.id)
        if x.role == Role.AGENT
    )
    await services.workspaces.set_role(actor, owner.workspace.id, agent.user_id, Role.VIEWER)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/audit")
    await user.should_see("1–20 of 29")
    table = next(iter(user.find(kind=ui.table).elements))
    assert table.rows[0]["entity"] == "user Agent → Viewer"
    with user:
        next(iter(user.find(kind=ui.pagination).elements)).value = 2
    await user.should_see("21–29 of 29")
    assert [r["action"] for r in table.rows][-1] == "workspace.create"


async def test_admin_may_rename_the_workspace(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", ws="Before")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    user = await dashboard.signed_in("admin@example.com")
    await _choose(dashboard, user, owner)
    await user.open("/dashboard/settings/workspace")
    field = next(iter(user.find(marker="workspace-name").elements))
    assert field.value == "Before" and field.enabled
    user.find(marker="workspace-name").clear().type("After")
    user.find(marker="save").click()
    await user.should_see("Workspace saved")


async def test_invite_dialog_explains_roles_and_delivery(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/team")
    user.find(marker="invite").click()
    await user.should_see("answers conversations")
    with user:
        next(iter(user.find(marker="invite-role").elements)).value = Role.VIEWER
    await user.should_see("changes nothing")
    user.find(marker="invite-email-input").type("v@example.com")
    user.find(marker="send-invite").click()
    await user.should_see("Email is not set up on this server")  # the test profile has no SMTP


async def test_invite_link_opened_signed_out_comes_back_after_registering(
    dashboard: Dashboard,
) -> None:
    user = dashboard.new_user()
    await user.open("/accept-invite?token=inv_abc")
    await user.should_see("You are invited")
    await user.open("/register")
    user.find("Your name").type("Nia")
    user.find("Email").type("nia@example.com")
    user.find("Password (10+ characters)").type("Correct-horse-9")
    user.find("Business or workspace name").type("Nia's")
    user.find("Create account").click()
    await user.should_see("Join the workspace?")
    user.find("Accept invitation").click()
    await user.should_see("this invitation is invalid, used or expired")
