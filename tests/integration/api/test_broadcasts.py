"""Broadcasts through the API on the simulator channel (issue 15 items 2 and 3): a templated
message to a label reaches each contact once, receipts and an answer move the recipients to
READ and REPLIED, blocked and opted-out contacts get nothing, `broadcast_complete` is
notified; pause takes back what the budget held and resume finishes; cancel stops; drafts
are validated and only drafts change; an opt-out word is confirmed once in the contact's
language and a person can opt a contact in and out by hand."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.db.tables import BroadcastRecipient, Message, Outbox
from app.domain import Role
from tests.integration.api.conftest import _api
from tests.integration.api.test_send_first import _Files
from tests.integration.bots import Bot, _bot, eventually

CSV = """phone,name,labels,city
+4917600000001,Ann Alpha,vip,Berlin
+4917600000002,Bob Beta,vip,
+4917600000003,Cem Gamma,,Hamburg
+4917600000004,Dan Delta,vip,
+4917600000005,Eve Epsilon,vip,
"""
ANN, BOB, CEM, DAN, EVE = (f"+49176000000{i:02d}" for i in range(1, 6))


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async for api in _api(tmp_path / "data", None, auto_reply="echo", broadcast_poll_s=0.05):
        yield await _bot(api)


@pytest.fixture
async def any_bot(tmp_path: Path, db_url: str) -> AsyncIterator[Bot]:
    """The same on each backend: the claim, the sync and the withdrawal are plain SQL."""
    async for api in _api(tmp_path / "data", db_url, auto_reply="echo", broadcast_poll_s=0.05):
        yield await _bot(api)


async def _setup(bot: Bot) -> dict[str, Any]:
    """Five contacts (four with the vip label); Dan blocked, Eve opted out by hand."""
    r = await bot.api.client.post(
        "/api/v1/contacts/import",
        content=CSV.encode(),
        headers={**bot.owner.headers(), "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    ids = {c["phoneNumber"]: c["id"] for c in (await bot.get("/contacts", pageSize=50))["items"]}
    assert (await bot.send("POST", f"/contacts/{ids[DAN]}/block")).status_code == 201
    r = await bot.send("POST", f"/contacts/{ids[EVE]}/opt-out")
    assert r.status_code == 201 and r.json()["optedOutAt"] is not None
    labels = {lb["name"]: lb["id"] for lb in await bot.get("/contacts/labels")}
    return {"contacts": ids, "vip": labels["vip"]}


async def _create(bot: Bot, **body: Any) -> dict[str, Any]:
    r = await bot.send("POST", "/broadcasts", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _status(bot: Bot, broadcast_id: str, *statuses: str) -> dict[str, Any] | None:
    view = await bot.get(f"/broadcasts/{broadcast_id}")
    return view if view["status"] in statuses else None


async def test_a_label_broadcast_reaches_each_contact_once_and_follows_them(
    any_bot: Bot,
) -> None:
    bot = any_bot
    setup = await _setup(bot)
    sub_cm = bot.api.container.events.subscribe(bot.owner.workspace_id)
    sub = sub_cm.__enter__()
    body = {
        "name": "Spring offer",
        "message": "Hi {{contact.first_name}}, 20% off in {{contact.fields.city|your town}}!",
        "targetType": "LABEL",
        "labelIds": [setup["vip"]],
    }
    audience = await bot.send("POST", "/broadcasts/audience", json={
        "targetType": "LABEL", "labelIds": [setup["vip"]],
    })  # fmt: skip
    assert audience.status_code == 200, audience.text
    assert audience.json() | {"estimatedMinutes": 0} == {
        "recipients": 2, "optedOut": 1, "blocked": 1, "estimatedMinutes": 0,
        "perMinute": 1000, "perDay": 100000,
    }  # fmt: skip
    draft = await _create(bot, **body)
    assert draft["status"] == "DRAFT" and draft["stats"] is None
    r = await bot.send("POST", f"/broadcasts/{draft['id']}/send")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "SENDING"

    done = await eventually(lambda: _status(bot, draft["id"], "SENT"))
    assert done["completedAt"] is not None
    texts = sorted(bot.sent_texts())
    assert texts == ["Hi Ann, 20% off in Berlin!", "Hi Bob, 20% off in your town!"]
    assert bot.sent_texts(DAN) == [] and bot.sent_texts(EVE) == [] and bot.sent_texts(CEM) == []
    kinds = await bot.db(lambda: Outbox.select(Outbox.kind, Outbox.idempotency_key))
    assert {k["kind"] for k in kinds} == {"broadcast"}
    assert all(k["idempotency_key"].startswith("broadcast:") for k in kinds)
    # messages sent, not bot replies: the escalation rate's base does not grow with a broadcast
    assert (await bot.get("/analytics/bot-performance"))["botReplies"] == 0
    volume = (await bot.get("/analytics/messages"))["points"]
    assert sum(p["values"]["automated"] for p in volume) == 2

    await bot.phone.settle()  # the simulator's delivery and read receipts
    bot.api.clock.advance(timedelta(minutes=5))
    # the jump outlived the session's lease (15 s): the heartbeat that a real clock would have
    # brought renews it, or the fenced dispatcher rightly sends nothing until then
    await bot.db(lambda: bot.api.container.leases.tick())
    await bot.simulate(ANN, "Great, do you have it in blue?")
    # the runner follows finished broadcasts too (every 30 s; here at once)
    await bot.db(lambda: bot.api.container.broadcasts._follow_finished())
    replied = BroadcastRecipient.count().where(BroadcastRecipient.status == "replied")
    assert await bot.db(lambda: replied) == 1
    stats = await eventually(lambda: _replied(bot, draft["id"]))
    assert stats == {
        "total": 3, "pending": 0, "sent": 2, "delivered": 2, "read": 2, "replied": 1,
        "failed": 0, "optedOut": 1,
    }  # fmt: skip
    page = await bot.get(f"/broadcasts/{draft['id']}/recipients")
    states = {r["phoneNumber"]: r["status"] for r in page["items"]}
    assert states == {ANN: "REPLIED", BOB: "READ", EVE: "OPTED_OUT"}
    ann = next(r for r in page["items"] if r["phoneNumber"] == ANN)
    assert ann["conversationId"] and ann["repliedAt"] and ann["sentAt"]

    notes = (await bot.get("/notifications"))["items"]
    complete = [n for n in notes if n["type"] == "broadcast_complete"]
    assert len(complete) == 1 and complete[0]["payload"]["broadcastId"] == draft["id"]
    assert complete[0]["payload"]["stats"]["sent"] == 2
    seen = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    sub_cm.__exit__(None, None, None)
    events = [e.data for e in seen if e.name == "broadcast:progress"]
    assert events and events[-1]["broadcastId"] == draft["id"]
    percents = [e["percent"] for e in events]
    assert percents == sorted(percents), percents
    assert any(e["status"] == "SENT" and e["percent"] == 100 for e in events)
    listed = await bot.get("/broadcasts")
    assert [b["id"] for b in listed] == [draft["id"]] and listed[0]["stats"]["total"] == 3
    # sent once: a later pass finds nothing pending, nothing more is queued
    await asyncio.sleep(0.3)
    assert len(bot.sent_texts()) == 3  # the two offers and the echo of Ann's answer


@pytest.fixture
def file_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)  # a PNG for any path
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


async def test_media_is_fetched_once_through_the_guard_and_sent_to_each(
    tmp_path: Path, file_server: str
) -> None:
    async for api in _api(
        tmp_path / "data", None, broadcast_poll_s=0.05, ssrf_allow=("127.0.0.1",)
    ):
        bot = await _bot(api)
        await _setup(bot)
        draft = await _create(bot, name="Menu", message="Our new menu, {{contact.first_name}}",
                              targetType="ALL", mediaUrl=f"{file_server}/menu.png")  # fmt: skip
        assert (await bot.send("POST", f"/broadcasts/{draft['id']}/send")).status_code == 202
        await eventually(lambda b=bot, d=draft: _status(b, d["id"], "SENT"))
        sent = [s.message for s in bot.phone.sent]
        assert sorted(m.caption or "" for m in sent) == [
            "Our new menu, Ann", "Our new menu, Bob", "Our new menu, Cem",
        ]  # fmt: skip
        assert {m.media_mime for m in sent} == {"image/png"}
        assert len({m.media_path for m in sent}) == 1 and Path(sent[0].media_path or "").is_file()


async def _replied(bot: Bot, broadcast_id: str) -> dict[str, Any] | None:
    stats = await bot.get(f"/broadcasts/{broadcast_id}/stats")
    return stats if stats["replied"] == 1 and stats["read"] == 2 else None


async def _sent(bot: Bot, n: int) -> bool:
    return len(bot.phone.sent) >= n


async def _marked(bot: Bot, n: int) -> bool:
    """`n` outbox rows marked sent (the mark commits after the phone took the message)."""
    return await bot.db(lambda: Outbox.count().where(Outbox.status == "SENT")) >= n


async def test_pause_takes_back_what_waits_resume_finishes_cancel_stops(any_bot: Bot) -> None:
    bot = any_bot
    setup = await _setup(bot)
    budget = f"/whatsapp/sessions/{bot.session_id}/budget"
    assert (await bot.send("PATCH", budget, json={"perMinute": 1})).status_code == 200
    everyone = list(setup["contacts"].values())
    first = await _create(bot, name="All", message="News", targetType="CONTACTS",
                          contactIds=everyone)  # fmt: skip
    assert (await bot.send("POST", f"/broadcasts/{first['id']}/send")).status_code == 202
    await eventually(lambda: _sent(bot, 1))  # one a minute: the rest wait in the outbox
    await eventually(lambda: _marked(bot, 1))  # the phone has it before the row says SENT
    queued = await bot.db(
        lambda: Message.select(Message.id, Message.conversation_id).where(
            Message.status == "QUEUED"
        )
    )
    assert len(queued) == 2
    with bot.api.container.events.subscribe(bot.owner.workspace_id) as sub:
        r = await bot.send("POST", f"/broadcasts/{first['id']}/pause")
        told = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    assert r.status_code == 200 and r.json()["status"] == "PAUSED", r.text
    # open inboxes showed them as queued: each one taken back is told, with its conversation
    deleted = [e.data for e in told if e.name == "message:deleted"]
    assert sorted(deleted, key=lambda d: d["messageId"]) == sorted(
        ({"messageId": m["id"], "conversationId": m["conversation_id"]} for m in queued),
        key=lambda d: d["messageId"],
    )
    stats = r.json()["stats"]
    assert (stats["total"], stats["sent"], stats["pending"], stats["optedOut"]) == (4, 1, 2, 1)
    waiting = await bot.db(lambda: Outbox.count().where(Outbox.status == "PENDING"))
    assert waiting == 0  # taken back: nothing of it is in the outbox
    assert await bot.db(lambda: Message.count().where(Message.status == "QUEUED")) == 0
    assert (await bot.send("PATCH", budget, json={"perMinute": 1000})).status_code == 200
    await asyncio.sleep(0.4)
    assert len(bot.phone.sent) == 1  # paused: the freed budget sends nothing of it
    assert (await bot.send("POST", f"/broadcasts/{first['id']}/pause")).status_code == 409
    r = await bot.send("POST", f"/broadcasts/{first['id']}/resume")
    assert r.status_code == 200 and r.json()["status"] == "SENDING"
    await eventually(lambda: _status(bot, first["id"], "SENT"))
    assert len(bot.phone.sent) == 3 and len(set(bot.sent_texts())) == 1

    bot.api.clock.advance(timedelta(minutes=2))
    assert (await bot.send("PATCH", budget, json={"perMinute": 1})).status_code == 200
    second = await _create(bot, name="Again", message="More news", targetType="CONTACTS",
                           contactIds=everyone)  # fmt: skip
    assert (await bot.send("POST", f"/broadcasts/{second['id']}/send")).status_code == 202
    await eventually(lambda: _sent(bot, 4))
    r = await bot.send("POST", f"/broadcasts/{second['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    assert (await bot.send("PATCH", budget, json={"perMinute": 1000})).status_code == 200
    await asyncio.sleep(0.4)
    assert len(bot.phone.sent) == 4
    assert (await bot.send("POST", f"/broadcasts/{second['id']}/resume")).status_code == 409


async def test_drafts_are_checked_and_only_drafts_change(bot: Bot) -> None:
    setup = await _setup(bot)
    bad = [
        ({"name": "x", "message": "Hi {{contact.nmae}}", "targetType": "ALL"}, "contact.nmae"),
        ({"name": "x", "message": "Hi", "targetType": "LABEL"}, "labelIds"),
        ({"name": "x", "message": "Hi", "targetType": "LABEL", "labelIds": ["nope"]}, "labelIds"),
        ({"name": "x", "message": "Hi", "targetType": "SOME"}, "targetType"),
        ({"name": "x", "message": "Hi", "targetType": "ALL", "mediaUrl": "http://127.0.0.1/a"},
         ""),
        ({"name": "x", "message": "", "targetType": "ALL"}, "message"),
    ]  # fmt: skip
    for body, word in bad:
        r = await bot.send("POST", "/broadcasts", json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert word in r.text and r.headers["content-type"].startswith("application/problem")
    draft = await _create(bot, name="Draft", message="Hi {{contact.name}}", targetType="ALL")
    r = await bot.send("PATCH", f"/broadcasts/{draft['id']}", json={"name": "Renamed"})
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    preview = await bot.send("POST", "/broadcasts/preview", json={
        "message": "Hi {{contact.name}} from {{contact.city}}", "contactId": setup["contacts"][ANN],
    })  # fmt: skip
    assert preview.json() == {"text": "Hi Ann Alpha from Berlin", "missing": [], "unknown": []}
    r = await bot.send("POST", f"/broadcasts/{draft['id']}/schedule", json={
        "scheduledAt": (bot.api.clock.now() + timedelta(minutes=5)).isoformat(),
    })  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "SCHEDULED", r.text
    for method, path, body in (
        ("PATCH", "", {"name": "late"}),
        ("DELETE", "", None),
        ("POST", "/send", None),
    ):
        r = await bot.send(method, f"/broadcasts/{draft['id']}{path}", json=body)
        assert r.status_code == 409, (method, path, r.text)
    await asyncio.sleep(0.2)
    assert len(bot.phone.sent) == 0  # not due yet
    bot.api.clock.advance(timedelta(minutes=5, seconds=1))
    await eventually(lambda: _status(bot, draft["id"], "SENT"))
    assert sorted(bot.sent_texts()) == ["Hi Ann Alpha", "Hi Bob Beta", "Hi Cem Gamma"]

    nobody = await _create(bot, name="Nobody", message="x", targetType="CONTACTS",
                           contactIds=[setup["contacts"][EVE]])  # fmt: skip
    r = await bot.send("POST", f"/broadcasts/{nobody['id']}/send")
    assert r.status_code == 422 and "reaches nobody" in r.text  # Eve opted out
    assert (await bot.send("DELETE", f"/broadcasts/{nobody['id']}")).status_code == 204
    other = await _create(bot, name="Gone", message="x", targetType="ALL")
    assert (await bot.send("DELETE", f"/broadcasts/{other['id']}")).status_code == 204
    assert (await bot.send("GET", f"/broadcasts/{other['id']}")).status_code == 404
    viewer = await bot.api.member(bot.owner, Role.VIEWER)
    r = await bot.api.client.get("/api/v1/broadcasts", headers=viewer.headers())
    assert r.status_code == 200 and len(r.json()) == 1
    r = await bot.api.client.post(
        "/api/v1/broadcasts", json={"name": "v", "message": "v", "targetType": "ALL"},
        headers=viewer.headers(),
    )  # fmt: skip
    assert r.status_code == 403
    stranger = await bot.api.register("Other", "Elsewhere")
    r = await bot.api.client.get(f"/api/v1/broadcasts/{draft['id']}", headers=stranger.headers())
    assert r.status_code == 404


async def test_opt_out_words_are_confirmed_once_in_their_language(bot: Bot) -> None:
    await bot.simulate(ANN, "hello")  # a contact the echo bot answers
    await bot.simulate(ANN, "  Stop! ")
    await bot.simulate(ANN, "STOP")
    await bot.simulate(BOB, "baja")
    await bot.simulate(CEM, "please don't stop the delivery")
    r = await bot.send("PATCH", "/settings", json={"optOutWords": ["abmelden"]})
    assert r.status_code == 200 and r.json()["optOutWords"] == ["abmelden"], r.text
    await bot.simulate(DAN, "Abmelden")
    await eventually(lambda: _sent(bot, 5))
    await asyncio.sleep(0.2)
    assert bot.sent_texts(ANN)[0] == "hello"
    assert bot.sent_texts(ANN)[1].startswith("You will not receive any more broadcast")
    assert len(bot.sent_texts(ANN)) == 2  # the second STOP: no second confirmation
    assert bot.sent_texts(BOB) == [bot.sent_texts(BOB)[0]]
    assert bot.sent_texts(BOB)[0].startswith("No recibirás más mensajes")
    assert bot.sent_texts(CEM) == ["please don't stop the delivery"]  # a sentence, answered
    assert len(bot.sent_texts(DAN)) == 1
    contacts = {c["phoneNumber"]: c for c in (await bot.get("/contacts"))["items"]}
    assert [p for p, c in sorted(contacts.items()) if c["optedOutAt"]] == [ANN, BOB, DAN]
    r = await bot.send("POST", f"/contacts/{contacts[ANN]['id']}/opt-in")
    assert r.status_code == 201 and r.json()["optedOutAt"] is None
    broadcast = await _create(bot, name="All", message="Hi", targetType="ALL")
    assert (await bot.send("POST", f"/broadcasts/{broadcast['id']}/send")).status_code == 202
    await eventually(lambda: _status(bot, broadcast["id"], "SENT"))
    assert bot.sent_texts(ANN)[-1] == "Hi" and bot.sent_texts(CEM)[-1] == "Hi"
    assert bot.sent_texts(BOB)[-1] != "Hi" and bot.sent_texts(DAN)[-1] != "Hi"
