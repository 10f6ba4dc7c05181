"""Contacts import from CSV (issue 15.4): a dry run previews what would be created and updated
and every rejected row with its reason, and writes nothing; the import then creates and
updates contacts (E.164 numbers, names, labels, custom fields); an export imports back."""

from __future__ import annotations

from app.db.tables import Contact
from tests.integration.bots import Bot

CSV = """Phone;Name;Labels;City;Plan
+49 176 1234 5678;Ann Example;VIP, Berlin;Berlin;gold
0176 7654321;Bo;Berlin;;
call me maybe;Cy;;;
4917612345678;Ann again;;;
;Nobody;;;
+1 415 555 2671;Dee;us;San Francisco;

"""


async def _import(bot: Bot, body: bytes, **params: str):  # type: ignore[no-untyped-def]
    return await bot.api.client.post(
        "/api/v1/contacts/import",
        content=body,
        params=params,
        headers={**bot.owner.headers(), "Content-Type": "text/csv"},
    )


async def test_preview_then_import(bot: Bot) -> None:
    await bot.simulate("+14155552671", "hi")  # Dee wrote before: updated, not created
    r = await _import(bot, CSV.encode(), dryRun="true", defaultCountry="de")
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["dryRun"] is True
    assert (preview["total"], preview["created"], preview["updated"], preview["rejected"]) == (
        6, 2, 1, 3,
    )  # fmt: skip
    reasons = {row["line"]: row["reason"] for row in preview["rejectedRows"]}
    assert "not a phone number" in reasons[4]
    assert reasons[5] == "the same number as line 2"
    assert "no phone number" in reasons[6]
    first = preview["preview"][0]
    assert first == {
        "line": 2, "phoneNumber": "+4917612345678", "name": "Ann Example",
        "labels": ["VIP", "Berlin"], "customFields": {"City": "Berlin", "Plan": "gold"},
        "exists": False,
    }  # fmt: skip
    assert preview["preview"][1]["phoneNumber"] == "+491767654321"  # national, read as DE
    assert preview["newLabels"] == ["Berlin", "VIP", "us"]
    assert preview["customFields"] == ["City", "Plan"]
    assert await bot.db(lambda: Contact.count()) == 1  # the dry run wrote nothing

    r = await _import(bot, CSV.encode(), defaultCountry="DE")
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["dryRun"]) == (2, 1, False)
    ann = (await bot.get("/contacts", search="4917612345678"))["items"][0]
    assert ann["displayName"] == "Ann Example" and ann["phoneNumber"] == "+4917612345678"
    assert sorted(lb["name"] for lb in ann["labels"]) == ["Berlin", "VIP"]
    assert ann["customFields"] == {"City": "Berlin", "Plan": "gold"}
    dee = (await bot.get("/contacts", search="14155552671"))["items"][0]
    assert dee["displayName"] == "Dee" and dee["customFields"] == {"City": "San Francisco"}

    # importing again changes nothing new; our own export imports back
    r = await _import(bot, CSV.encode(), defaultCountry="DE")
    assert (r.json()["created"], r.json()["updated"]) == (0, 3)
    export = await bot.api.client.get("/api/v1/contacts/export", headers=bot.owner.headers())
    r = await _import(bot, export.content, dryRun="true")
    again = r.json()
    assert (again["created"], again["updated"], again["rejected"]) == (0, 3, 0)
    assert "jid" not in again["customFields"] and "id" in again["ignoredColumns"]
    assert await bot.db(lambda: Contact.count()) == 3


async def test_a_file_that_cannot_be_read_is_a_clear_problem(bot: Bot) -> None:
    for body, params, detail in [
        (b"", {}, "empty"),
        (b"name;city\nAnn;Berlin\n", {}, "no phone column"),
        (b"phone\n+4917612345678\n", {"defaultCountry": "XX"}, "not a country code"),
    ]:
        r = await _import(bot, body, **params)
        assert r.status_code in (400, 422), r.text
        assert detail in r.json()["detail"]
    latin1 = "phone,name\n+4917612345678,Jürgen\n".encode("latin-1")
    r = await _import(bot, latin1)
    assert r.status_code == 200 and r.json()["created"] == 1
    multipart = await bot.api.client.post(
        "/api/v1/contacts/import",
        files={"file": ("c.csv", b"phone\n+4917612345679\n", "text/csv")},
        headers=bot.owner.headers(),
    )
    assert multipart.status_code == 200 and multipart.json()["created"] == 1
