"""Contacts API (seed §6): filters, pagination, edits, labels, block/takeover, CSV export."""

from __future__ import annotations

import csv
import io

from tests.integration.bots import Bot, eventually


async def _contacts(bot: Bot, n: int) -> list[dict]:
    for i in range(n):
        await bot.simulate(f"+49176000000{i:02d}", f"hi {i}", name=f"Person {i}")

    async def all_there():
        page = await bot.get("/contacts", pageSize=200)
        return page["items"] if page["total"] == n else None

    return await eventually(all_there)


async def test_list_filters_and_pagination(bot: Bot) -> None:
    contacts = await _contacts(bot, 5)
    first, second = contacts[0]["id"], contacts[1]["id"]
    page = await bot.get("/contacts", page=2, pageSize=2)
    assert (page["total"], page["page"], page["pageSize"], len(page["items"])) == (5, 2, 2, 2)
    await bot.send("POST", f"/contacts/{first}/block")
    await bot.send("POST", f"/contacts/{second}/takeover")
    await bot.send("PATCH", f"/contacts/{second}", json={"isVip": True})
    assert [c["id"] for c in (await bot.get("/contacts", blocked="true"))["items"]] == [first]
    assert [c["id"] for c in (await bot.get("/contacts", takeover="true"))["items"]] == [second]
    assert [c["id"] for c in (await bot.get("/contacts", vip="true"))["items"]] == [second]
    assert (await bot.get("/contacts", blocked="false"))["total"] == 4
    found = await bot.get("/contacts", search="person 3")
    assert [c["name"] for c in found["items"]] == ["Person 3"]
    assert (await bot.get("/contacts", search="4917600000004"))["total"] == 1


async def test_edit_custom_fields_and_bad_input(bot: Bot) -> None:
    (contact,) = await _contacts(bot, 1)
    url = f"/contacts/{contact['id']}"
    r = await bot.send(
        "PATCH",
        url,
        json={
            "displayName": "Ann (VIP)",
            "notes": "prefers mornings",
            "autoreplyEnabled": False,
            "language": "de",
            "customFields": {"plan": "gold", "city": "Berlin"},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["displayName"] == "Ann (VIP)" and body["autoreplyEnabled"] is False
    assert body["customFields"] == {"plan": "gold", "city": "Berlin"}
    r = await bot.send("PATCH", url, json={"customFields": {"city": None}})
    assert r.json()["customFields"] == {"plan": "gold"}
    for bad in ({"isVip": "yes"}, {"unknownField": 1}, {"customFields": {"": "x"}}):
        r = await bot.send("PATCH", url, json=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await bot.send("GET", "/contacts/c0000000000000000000nothere")
    assert r.status_code == 404
    log = await bot.get("/settings/audit-log", action="contact.")
    assert log["items"][0]["action"] == "contact.update"


async def test_labels_crud_attach_detach_and_filter(bot: Bot) -> None:
    a, b = await _contacts(bot, 2)
    r = await bot.send("POST", "/contacts/labels", json={"name": "lead", "color": "#FF0000"})
    assert r.status_code == 201, r.text
    label = r.json()
    r = await bot.send("POST", "/contacts/labels", json={"name": "lead"})
    assert r.status_code == 409
    r = await bot.send("POST", "/contacts/labels", json={"name": "x", "color": "red"})
    assert r.status_code == 400
    r = await bot.send("POST", f"/contacts/{a['id']}/labels", json={"labelId": label["id"]})
    assert r.status_code == 201 and [lb["name"] for lb in r.json()["labels"]] == ["lead"]
    filtered = await bot.get("/contacts", label=label["id"])
    assert [c["id"] for c in filtered["items"]] == [a["id"]]
    convs = await bot.get("/conversations", label=label["id"])
    assert [c["contactId"] for c in convs["items"]] == [a["id"]]
    r = await bot.send("PATCH", f"/contacts/labels/{label['id']}", json={"name": "hot lead"})
    assert r.json()["name"] == "hot lead"
    assert [lb["name"] for lb in await bot.get("/contacts/labels")] == ["hot lead"]
    r = await bot.send("DELETE", f"/contacts/{a['id']}/labels/{label['id']}")
    assert r.status_code == 204
    r = await bot.send("DELETE", f"/contacts/{a['id']}/labels/{label['id']}")
    assert r.status_code == 404
    await bot.send("POST", f"/contacts/{b['id']}/labels", json={"labelId": label["id"]})
    r = await bot.send("DELETE", f"/contacts/labels/{label['id']}")
    assert r.status_code == 204
    assert (await bot.get(f"/contacts/{b['id']}"))["labels"] == []


async def test_csv_export_streams_every_contact(bot: Bot) -> None:
    await _contacts(bot, 3)
    contacts = (await bot.get("/contacts"))["items"]
    await bot.send("PATCH", f"/contacts/{contacts[0]['id']}", json={"notes": '=HYPERLINK("x")'})
    r = await bot.send("GET", "/contacts/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 3
    assert {row["phone_number"] for row in rows} == {c["phoneNumber"] for c in contacts}
    notes = [row["notes"] for row in rows if row["notes"]]
    assert notes == ['\'=HYPERLINK("x")']  # no formula injection into spreadsheets


async def test_csv_export_neutralises_formulas_in_names_and_labels(bot: Bot) -> None:
    """Issue 13.5 (OWASP CSV injection): a name starting with TAB or CR before `=`, a bare
    `=1234`, and the labels column all reached spreadsheets as formulas."""
    await bot.simulate("+4917600000001", "hi", name="\t=cmd|' /C calc'!A0")
    await bot.simulate("+4917600000002", "hi", name="\r=SUM(A1:A9)")
    await bot.simulate("+4917600000003", "hi", name="Ann")

    async def three():
        page = await bot.get("/contacts")
        return page["items"] if page["total"] == 3 else None

    contacts = await eventually(three)
    ann = next(c for c in contacts if c["name"] == "Ann")
    await bot.send("PATCH", f"/contacts/{ann['id']}", json={"displayName": "=1234"})
    label = (
        await bot.send("POST", "/contacts/labels", json={"name": '=HYPERLINK("http://x")'})
    ).json()
    await bot.send("POST", f"/contacts/{ann['id']}/labels", json={"labelId": label["id"]})
    rows = list(csv.DictReader(io.StringIO((await bot.send("GET", "/contacts/export")).text)))
    cells = [row[k] for row in rows for k in ("name", "display_name", "labels") if row[k]]
    risky = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == [], risky
    assert '\'=HYPERLINK("http://x")' in cells and "'=1234" in cells
    assert {row["phone_number"] for row in rows} == {"+4917600000001", "+4917600000002",
                                                       "+4917600000003"}  # fmt: skip
