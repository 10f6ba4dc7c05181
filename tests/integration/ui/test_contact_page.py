"""The contact page driven through NiceGUI's User simulation: edits persist in the service,
delete after a confirmation, and AGENT/VIEWER only read."""

from __future__ import annotations

from app.domain import NotFound, Role
from tests.integration.ui import contact_seed as seed
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _click, _eventually


async def test_detail_edits_persist(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    contact_id = await seed.inbound(dashboard, owner, "+4915100000001", "Ann Lee", "hello there")
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    await services.labels.create(actor, "existing", "#1E88E5")
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/contacts/{contact_id}")
    await user.should_see(content="Ann Lee", marker="contact-name")
    await user.should_see(content="+4915100000001", marker="contact-phone")
    await user.should_see(content="AL", marker="initials")
    await user.should_see(marker="conversation-link")
    link = next(iter(user.find(marker="conversation-link").elements))
    assert link.props["href"].startswith("/dashboard/inbox/")

    async def contact():  # type: ignore[no-untyped-def]
        return await services.contact_queries.get(actor, contact_id)

    user.find(marker="name-input").clear().type("Ann (gold)").trigger("keydown.enter")
    await _eventually(lambda: seed.has(contact, display_name="Ann (gold)"))
    for key in ("autoreply_enabled", "approval_mode", "is_vip", "human_takeover"):
        seed.set_value(user, f"switch-{key}", key != "autoreply_enabled")
    await _eventually(
        lambda: seed.has(
            contact, autoreply_enabled=False, approval_mode=True, is_vip=True, human_takeover=True
        )
    )
    seed.set_value(user, "switch-broadcasts", False)  # consent: opted out by hand

    async def opted_out() -> bool:
        return (await contact()).opted_out_at is not None

    await _eventually(opted_out)
    await user.should_see("every broadcast skips them", marker="consent")
    user.find(marker="block").click()
    await _eventually(lambda: seed.has(contact, is_blocked=True))
    await user.should_see("Unblock")
    # labels: create inline (attached at once), attach an existing one, detach by the chip
    user.find(marker="new-label-name").type("gold")
    user.find(marker="create-label").click()
    await _eventually(lambda: seed.labels_of(dashboard, owner, contact_id, ["gold"]))
    existing = next(lb for lb in await services.labels.list(actor) if lb.name == "existing")
    seed.set_value(user, "label-select", existing.id)
    await _eventually(lambda: seed.labels_of(dashboard, owner, contact_id, ["existing", "gold"]))
    await user.should_see(marker="label-gold")
    user.find(marker="label-gold").trigger("remove")
    await _eventually(lambda: seed.labels_of(dashboard, owner, contact_id, ["existing"]))
    user.find(marker="new-label-name").type("existing")
    user.find(marker="create-label").click()
    await user.should_see("a label named 'existing' exists")
    # custom fields and notes
    user.find(marker="field-key").type("plan")
    user.find(marker="field-value").type("gold")
    user.find(marker="add-field").click()
    await user.should_see(marker="field-plan")
    user.find(marker="field-key").type("city")
    user.find(marker="field-value").type("Berlin")
    user.find(marker="add-field").click()
    await _eventually(lambda: seed.has(contact, custom_fields={"plan": "gold", "city": "Berlin"}))
    await user.should_see(marker="remove-field-city")
    user.find(marker="remove-field-city").click()
    await _eventually(lambda: seed.has(contact, custom_fields={"plan": "gold"}))
    user.find(marker="add-field").click()  # empty name: refused with a message
    await user.should_see("a field name has 1 to 100 characters")
    user.find(marker="notes").type("prefers mornings")
    user.find(marker="save-notes").click()
    await _eventually(lambda: seed.has(contact, notes="prefers mornings"))
    await user.open(f"/dashboard/contacts/{contact_id}")  # reopened: what was saved shows
    await user.should_see(content="Ann (gold)", marker="contact-name")
    await user.should_see(marker="field-plan")
    assert next(iter(user.find(marker="notes").elements)).value == "prefers mornings"


async def test_delete_asks_then_erases(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    contact_id = await seed.inbound(dashboard, owner, "+4915100000002", "Bea", "delete me")
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/contacts/{contact_id}")
    user.find(marker="delete").click()
    await user.should_see("Delete Bea?")
    user.find("Cancel").click()
    await user.should_see(marker="delete")
    assert (await services.contact_queries.get(actor, contact_id)).name == "Bea"
    user.find(marker="delete").click()
    await _click(user, "confirm-ok")
    await user.should_see(marker="contacts-table")  # back on the list

    async def gone() -> bool:
        try:
            await services.contact_queries.get(actor, contact_id)
        except NotFound:
            return (
                await services.conversation_queries.list(actor, contact_id=contact_id)
            ).total == 0
        return False

    await _eventually(gone)
    await user.open(f"/dashboard/contacts/{contact_id}")
    await user.should_see(marker="not-found")


async def test_agent_and_viewer_only_read(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    (ann,) = await seed.rows(owner, ["Ann"])
    await seed.inbound(dashboard, owner, "+4915100000003", "Cal", "hi")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    for email in ("agent@example.com", "viewer@example.com"):
        user = await dashboard.signed_in(email)
        await _choose(dashboard, user, owner)
        await user.open("/dashboard/contacts")
        await seed.names_become(user, ["Cal", "Ann"])
        seed.select(user, ["Ann"])
        await user.should_see("Export 1 as CSV")  # reading (and exporting) is allowed
        await user.should_not_see(marker="bulk-label")
        await user.should_not_see(marker="bulk-block")
        await user.open(f"/dashboard/contacts/{ann}")
        await user.should_see(content="Ann", marker="contact-name")
        for marker in (
            "name-input", "label-select", "add-field", "save-notes", "delete", "block",
            "export-data",
        ):  # fmt: skip
            await user.should_not_see(marker=marker)
        for key in ("autoreply_enabled", "is_vip", "human_takeover"):
            assert not next(iter(user.find(marker=f"switch-{key}").elements)).enabled
        assert "readonly" in next(iter(user.find(marker="notes").elements)).props


async def test_the_ui_refuses_writes_for_readers_even_if_called(dashboard: Dashboard) -> None:
    """Hidden controls are not the only guard: the write path checks the role itself."""
    from app.domain import Actor, Forbidden
    from ui.pages.contacts.bulk import apply

    owner = await dashboard.register("owner@example.com")
    (ann,) = await seed.rows(owner, ["Ann"])
    assert owner.workspace is not None
    viewer = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.VIEWER)
    try:
        await apply(viewer, [{"id": ann, "label_ids": []}], "block")
    except Forbidden as exc:
        assert "(viewer) may not change contacts" in exc.detail
    else:
        raise AssertionError("a viewer blocked a contact")
    assert not (
        await dashboard.container.services.contact_queries.get(seed.owner_actor(owner), ann)
    ).is_blocked
