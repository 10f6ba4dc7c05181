"""Contacts pages driven through NiceGUI's User simulation: the table (filters, sort, pages,
bulk actions, CSV), the contact card (edits persist in the service), delete, role visibility."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing.user import User

from app.domain import Invalid, NotFound, Role
from tests.integration.ui import contact_seed as seed
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _click, _eventually


def _table(user: User) -> ui.table:
    return next(iter(user.find(kind=ui.table, marker="contacts-table").elements))


async def _names_become(user: User, names: list[str]) -> None:
    async def shown() -> bool:
        return [row["name"] for row in _table(user).rows] == names

    await _eventually(shown)


def _select(user: User, names: list[str]) -> None:
    rows = [r for r in _table(user).rows if r["name"] in names]
    user.find(marker="contacts-table").trigger(
        "selection", {"added": True, "rows": rows, "keys": [r["id"] for r in rows]}
    )


def _set(user: User, marker: str, value: Any) -> None:
    with user:
        next(iter(user.find(marker=marker).elements)).value = value


NAMES = [f"{chr(ord('A') + (i * 7) % 26)}{i:02d} Person" for i in range(30)]


async def test_list_pages_and_sorts_on_the_server(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await seed.rows(owner, NAMES)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await user.should_see("1–25 of 30")
    newest_first = NAMES[::-1]
    await _names_become(user, newest_first[:25])
    with user:
        next(iter(user.find(kind=ui.pagination).elements)).value = 2
    await user.should_see("26–30 of 30")
    await _names_become(user, newest_first[25:])
    by_name = {"pagination": {"sortBy": "name", "descending": False}}
    user.find(marker="contacts-table").trigger("request", by_name)  # a header click
    await _names_become(user, sorted(NAMES)[:25])
    assert _table(user).pagination["sortBy"] == "name"
    by_phone = {"pagination": {"sortBy": "phone", "descending": True}}
    user.find(marker="contacts-table").trigger("request", by_phone)
    await _names_become(user, newest_first[:25])  # phones were numbered in seeding order
    _set(user, "phone-sort", "name:desc")  # phones sort with a select (no headers)
    await _names_become(user, sorted(NAMES, reverse=True)[:25])
    with pytest.raises(Invalid):  # the service names the orders it knows
        await dashboard.container.services.contacts.list(seed.owner_actor(owner), sort="age")


async def test_filters_and_search_link(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    ann, bob, cid = await seed.rows(owner, ["Ann Lee", "Bob Ray", "Cid Moe"])
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    vip = await services.labels.create(actor, "vip-list", "#E53935")
    await services.contacts.attach_label(actor, bob, vip.id)
    await services.contacts.set_flag(actor, cid, "block")
    await services.contacts.update(actor, ann, {"is_vip": True}, None)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts?search=bob")
    await _names_become(user, ["Bob Ray"])
    user.find(marker="contact-search").clear().type("490000000000")  # Ann's phone
    await _names_become(user, ["Ann Lee"])
    user.find(marker="contact-search").clear()
    await _names_become(user, ["Cid Moe", "Bob Ray", "Ann Lee"])
    _set(user, "filter-label", vip.id)
    await _names_become(user, ["Bob Ray"])
    _set(user, "filter-label", None)
    _set(user, "filter-blocked", "yes")
    await _names_become(user, ["Cid Moe"])
    _set(user, "filter-blocked", "no")
    _set(user, "filter-vip", "yes")
    await _names_become(user, ["Ann Lee"])
    _set(user, "filter-vip", "no")
    _set(user, "filter-takeover", "yes")
    await user.should_see("No contact matches these filters.")


async def test_bulk_label_block_and_csv(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    ids = await seed.rows(owner, ["Ann", "Bob", "Cid"])
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    await services.labels.create(actor, "lead", "#43A047")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await _names_become(user, ["Cid", "Bob", "Ann"])
    await user.should_not_see(marker="bulk-block")  # nothing selected yet
    _select(user, ["Ann", "Bob"])
    await user.should_see("2 selected")
    user.find(marker="bulk-label-lead").click()
    await user.should_see("2 contacts updated")

    async def labelled() -> bool:
        found = await services.contacts.list(actor, label=(await services.labels.list(actor))[0].id)
        return sorted(c.name or "" for c in found.items) == ["Ann", "Bob"]

    await _eventually(labelled)
    await user.should_not_see("2 selected")  # reloaded, selection cleared
    _select(user, ["Bob", "Cid"])
    user.find(marker="bulk-block").click()
    await _eventually(lambda: _blocked(dashboard, owner, {"Bob", "Cid"}))
    _select(user, ["Bob"])
    user.find(marker="bulk-unlabel-lead").click()
    await _eventually(lambda: _labels_of(dashboard, owner, ids[1], []))
    # export: the selection …
    _select(user, ["Ann", "Cid"])
    await user.should_see("Export 2 as CSV")
    user.find(marker="export-csv").click()
    rows = list(csv.DictReader(io.StringIO((await user.download.next()).text)))
    assert sorted(r["name"] for r in rows) == ["Ann", "Cid"]
    assert {r["name"]: r["labels"] for r in rows}["Ann"] == "lead"
    assert {r["name"]: r["is_blocked"] for r in rows} == {"Ann": "False", "Cid": "True"}
    # … or, with nothing selected, the current filter
    await user.open("/dashboard/contacts")
    _set(user, "filter-blocked", "yes")
    await _names_become(user, ["Cid", "Bob"])
    user.find(marker="export-csv").click()
    rows = list(csv.DictReader(io.StringIO((await user.download.next()).text)))
    assert sorted(r["name"] for r in rows) == ["Bob", "Cid"]


async def _blocked(dashboard: Dashboard, owner, names: set[str]) -> bool:  # type: ignore[no-untyped-def]
    found = await dashboard.container.services.contacts.list(seed.owner_actor(owner), blocked=True)
    return {c.name for c in found.items} == names


async def _labels_of(dashboard: Dashboard, owner, contact_id: str, names: list[str]) -> bool:  # type: ignore[no-untyped-def]
    contact = await dashboard.container.services.contacts.get(seed.owner_actor(owner), contact_id)
    return sorted(lb.name for lb in contact.labels) == names


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
        return await services.contacts.get(actor, contact_id)

    user.find(marker="name-input").clear().type("Ann (gold)").trigger("keydown.enter")
    await _eventually(lambda: _is(contact, display_name="Ann (gold)"))
    for key in ("autoreply_enabled", "approval_mode", "is_vip", "human_takeover"):
        _set(user, f"switch-{key}", key != "autoreply_enabled")
    await _eventually(
        lambda: _is(
            contact, autoreply_enabled=False, approval_mode=True, is_vip=True, human_takeover=True
        )
    )
    user.find(marker="block").click()
    await _eventually(lambda: _is(contact, is_blocked=True))
    await user.should_see("Unblock")
    # labels: create inline (attached at once), attach an existing one, detach by the chip
    user.find(marker="new-label-name").type("gold")
    user.find(marker="create-label").click()
    await _eventually(lambda: _labels_of(dashboard, owner, contact_id, ["gold"]))
    existing = next(lb for lb in await services.labels.list(actor) if lb.name == "existing")
    _set(user, "label-select", existing.id)
    await _eventually(lambda: _labels_of(dashboard, owner, contact_id, ["existing", "gold"]))
    await user.should_see(marker="label-gold")
    user.find(marker="label-gold").trigger("remove")
    await _eventually(lambda: _labels_of(dashboard, owner, contact_id, ["existing"]))
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
    await _eventually(lambda: _is(contact, custom_fields={"plan": "gold", "city": "Berlin"}))
    await user.should_see(marker="remove-field-city")
    user.find(marker="remove-field-city").click()
    await _eventually(lambda: _is(contact, custom_fields={"plan": "gold"}))
    user.find(marker="add-field").click()  # empty name: refused with a message
    await user.should_see("a field name has 1 to 100 characters")
    user.find(marker="notes").type("prefers mornings")
    user.find(marker="save-notes").click()
    await _eventually(lambda: _is(contact, notes="prefers mornings"))
    await user.open(f"/dashboard/contacts/{contact_id}")  # reopened: what was saved shows
    await user.should_see(content="Ann (gold)", marker="contact-name")
    await user.should_see(marker="field-plan")
    assert next(iter(user.find(marker="notes").elements)).value == "prefers mornings"


async def _is(get, **expected: Any) -> bool:  # type: ignore[no-untyped-def]
    found = await get()
    return all(getattr(found, k) == v for k, v in expected.items())


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
    assert (await services.contacts.get(actor, contact_id)).name == "Bea"
    user.find(marker="delete").click()
    await _click(user, "confirm-ok")
    await user.should_see(marker="contacts-table")  # back on the list

    async def gone() -> bool:
        try:
            await services.contacts.get(actor, contact_id)
        except NotFound:
            return (await services.conversations.list(actor, contact_id=contact_id)).total == 0
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
        await _names_become(user, ["Cal", "Ann"])
        _select(user, ["Ann"])
        await user.should_see("Export 1 as CSV")  # reading (and exporting) is allowed
        await user.should_not_see(marker="bulk-label")
        await user.should_not_see(marker="bulk-block")
        await user.open(f"/dashboard/contacts/{ann}")
        await user.should_see(content="Ann", marker="contact-name")
        for marker in ("name-input", "label-select", "add-field", "save-notes", "delete", "block"):
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
        assert "viewer role may not change contacts" in exc.detail
    else:
        raise AssertionError("a viewer blocked a contact")
    assert not (
        await dashboard.container.services.contacts.get(seed.owner_actor(owner), ann)
    ).is_blocked
