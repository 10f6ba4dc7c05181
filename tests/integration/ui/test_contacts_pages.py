"""The contacts table driven through NiceGUI's User simulation: server-side sort and pages,
filters and the `?search=` link, bulk label/block, CSV of the selection or the filter."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from nicegui import ui

from app.domain import Invalid
from tests.integration.ui import contact_seed as seed
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _eventually

NAMES = [f"{chr(ord('A') + (i * 7) % 26)}{i:02d} Person" for i in range(30)]


async def test_list_pages_and_sorts_on_the_server(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await seed.rows(owner, NAMES)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await user.should_see("1–25 of 30")
    newest_first = NAMES[::-1]
    await seed.names_become(user, newest_first[:25])
    with user:
        next(iter(user.find(kind=ui.pagination).elements)).value = 2
    await user.should_see("26–30 of 30")
    await seed.names_become(user, newest_first[25:])
    by_name = {"pagination": {"sortBy": "name", "descending": False}}
    user.find(marker="contacts-table").trigger("request", by_name)  # a header click
    await seed.names_become(user, sorted(NAMES)[:25])
    assert seed.table(user).pagination["sortBy"] == "name"
    by_phone = {"pagination": {"sortBy": "phone", "descending": True}}
    user.find(marker="contacts-table").trigger("request", by_phone)
    await seed.names_become(user, newest_first[:25])  # phones were numbered in seeding order
    seed.set_value(user, "phone-sort", "name:desc")  # phones sort with a select (no headers)
    await seed.names_become(user, sorted(NAMES, reverse=True)[:25])
    with pytest.raises(Invalid):  # the service names the orders it knows
        await dashboard.container.services.contact_queries.list(seed.owner_actor(owner), sort="age")


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
    await seed.names_become(user, ["Bob Ray"])
    user.find(marker="contact-search").clear().type("490000000000")  # Ann's phone
    await seed.names_become(user, ["Ann Lee"])
    user.find(marker="contact-search").clear()
    await seed.names_become(user, ["Cid Moe", "Bob Ray", "Ann Lee"])
    seed.set_value(user, "filter-label", vip.id)
    await seed.names_become(user, ["Bob Ray"])
    seed.set_value(user, "filter-label", None)
    seed.set_value(user, "filter-blocked", "yes")
    await seed.names_become(user, ["Cid Moe"])
    seed.set_value(user, "filter-blocked", "no")
    seed.set_value(user, "filter-vip", "yes")
    await seed.names_become(user, ["Ann Lee"])
    seed.set_value(user, "filter-vip", "no")
    seed.set_value(user, "filter-takeover", "yes")
    await user.should_see("No contact matches these filters.")


async def test_bulk_label_block_and_csv(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    ids = await seed.rows(owner, ["Ann", "Bob", "Cid"])
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    await services.labels.create(actor, "lead", "#43A047")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await seed.names_become(user, ["Cid", "Bob", "Ann"])
    await user.should_not_see(marker="bulk-block")  # nothing selected yet
    seed.select(user, ["Ann", "Bob"])
    await user.should_see("2 selected")
    user.find(marker="bulk-label-lead").click()
    await user.should_see("2 contacts updated")

    async def labelled() -> bool:
        found = await services.contact_queries.list(
            actor, label=(await services.labels.list(actor))[0].id
        )
        return sorted(c.name or "" for c in found.items) == ["Ann", "Bob"]

    await _eventually(labelled)
    await user.should_not_see("2 selected")  # reloaded, selection cleared
    seed.select(user, ["Bob", "Cid"])
    user.find(marker="bulk-block").click()
    await _eventually(lambda: seed.blocked(dashboard, owner, {"Bob", "Cid"}))
    seed.select(user, ["Bob"])
    user.find(marker="bulk-unlabel-lead").click()
    await _eventually(lambda: seed.labels_of(dashboard, owner, ids[1], []))
    # export: the selection …
    seed.select(user, ["Ann", "Cid"])
    await user.should_see("Export 2 as CSV")
    user.find(marker="export-csv").click()
    rows = list(csv.DictReader(io.StringIO((await user.download.next()).text)))
    assert sorted(r["name"] for r in rows) == ["Ann", "Cid"]
    assert {r["name"]: r["labels"] for r in rows}["Ann"] == "lead"
    assert {r["name"]: r["is_blocked"] for r in rows} == {"Ann": "False", "Cid": "True"}
    # … or, with nothing selected, the current filter
    await user.open("/dashboard/contacts")
    seed.set_value(user, "filter-blocked", "yes")
    await seed.names_become(user, ["Cid", "Bob"])
    user.find(marker="export-csv").click()
    rows = list(csv.DictReader(io.StringIO((await user.download.next()).text)))
    assert sorted(r["name"] for r in rows) == ["Bob", "Cid"]


async def test_new_contacts_appear_live_unless_rows_are_selected(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await seed.rows(owner, ["Old Olga"])
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await seed.names_become(user, ["Old Olga"])
    await seed.inbound(dashboard, owner, "+4915100000011", "New Nina", "hello")
    await seed.names_become(user, ["New Nina", "Old Olga"])  # newest first, no reload
    seed.select(user, ["Old Olga"])
    await seed.inbound(dashboard, owner, "+4915100000012", "Late Lars", "hi")  # stored now
    await asyncio.sleep(1.5)  # past the refresh delay: the selection was kept, no redraw
    assert [row["name"] for row in seed.table(user).rows] == ["New Nina", "Old Olga"]
    assert [row["name"] for row in seed.table(user).selected] == ["Old Olga"]
