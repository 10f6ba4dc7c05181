"""Message retention (issue 17 item 5): the nightly cleanup deletes a workspace's old messages
and their files, and nothing else — recent messages, other workspaces, shared files, the
knowledge base and the analytics totals stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.db.tables import AuditLog, Broadcast, Contact, Conversation, KBFaq, Message
from app.db.tables import WhatsappSession as SessionRow
from app.domain import new_id
from app.jobs.analytics import aggregate_hours
from app.jobs.cleanup import cleanup_expired, nightly_cleanup
from app.jobs.retention import apply_retention
from app.records import AuditTrail
from tests.integration.api.conftest import Account, Api
from tests.integration.api.test_analytics import At, _on_app
from tests.integration.api.test_knowledge_api import kb_of

NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
DAY = timedelta(days=1)


async def _seed(ws: str, media_dir: Path) -> dict[str, Any]:
    """One conversation: two messages 40 days old (one with a file), one 40 days old sharing
    a broadcast's file, and one from yesterday with a file."""
    session = SessionRow(workspace_id=ws, account_id="a1", channel="simulator")
    await SessionRow.insert(session)
    contact = new_id()
    await Contact.insert(
        Contact(id=contact, workspace_id=ws, session_id=session.id, jid=f"{contact}@s",
                phone_number="4915100000", created_at=NOW - 50 * DAY)
    )  # fmt: skip
    conv = new_id()
    await Conversation.insert(
        Conversation(id=conv, workspace_id=ws, session_id=session.id, contact_id=contact,
                     created_at=NOW - 50 * DAY)
    )  # fmt: skip
    (media_dir / ws).mkdir(parents=True, exist_ok=True)
    files = {}
    for name in ("old.jpg", "new.jpg", "shared.jpg"):
        (media_dir / ws / name).write_bytes(b"\xff\xd8\xff" + name.encode())
        files[name] = media_dir / ws / name
    await Broadcast.insert(
        Broadcast(workspace_id=ws, name="b", message="hi", target_type="ALL",
                  media={"type": "IMAGE", "url": f"media/{ws}/shared.jpg"})
    )  # fmt: skip
    ids = {}
    for key, age, media in (
        ("old_queued", 40 * DAY, None),  # a send the budget still holds: not settled, kept
        ("old_text", 40 * DAY, None),
        ("old_file", 40 * DAY, "old.jpg"),
        ("old_shared", 40 * DAY, "shared.jpg"),
        ("recent", DAY, "new.jpg"),
    ):
        ids[key] = new_id()
        queued = key == "old_queued"
        await Message.insert(
            Message(id=ids[key], workspace_id=ws, conversation_id=conv, session_id=session.id,
                    direction="OUTBOUND" if queued else "INBOUND",
                    sender_type="BOT" if queued else "CONTACT", content=key,
                    media_type="IMAGE" if media else None,
                    media_url=f"media/{ws}/{media}" if media else None,
                    created_at=NOW - age,
                    status="QUEUED" if queued else "RECEIVED")
        )  # fmt: skip
    return {"conversation": conv, "messages": ids, "files": files}


async def _messages_counted(api: Api, who: Account) -> int:
    r = await api.client.get(
        "/api/v1/analytics/messages",
        params={"from": (NOW - 60 * DAY).isoformat(), "to": NOW.isoformat(), "interval": "week"},
        headers=who.headers(),
    )
    assert r.status_code == 200, r.text
    return int(sum(p["values"]["in"] or 0 for p in r.json()["points"]))


async def test_retention_deletes_old_messages_and_files_only(api_any_db: Api) -> None:
    api = api_any_db
    keeper, sweeper = await api.register("Keeper"), await api.register("Sweeper")
    media_dir = api.container.settings.media_path
    store = api.container.storage
    kb = await kb_of(api, sweeper)
    faq = {"question": "When are you open?", "answer": "Monday to Friday 9-17."}
    r = await api.client.post(
        f"/api/v1/knowledge-bases/{kb}/faqs", json=faq, headers=sweeper.headers()
    )
    assert r.status_code == 201, r.text
    r = await api.client.patch(
        "/api/v1/settings", json={"messageRetentionDays": 30}, headers=sweeper.headers()
    )
    assert r.status_code == 200 and r.json()["messageRetentionDays"] == 30, r.text
    swept = await _on_app(api, lambda: _seed(sweeper.workspace_id, media_dir))
    kept = await _on_app(api, lambda: _seed(keeper.workspace_id, media_dir))
    audit = AuditTrail()

    # before the first aggregation nothing is deleted (its counts are not stored yet)
    assert await _on_app(api, lambda: apply_retention(At(NOW), store, audit)) == {}
    await _on_app(api, lambda: aggregate_hours(At(NOW)))
    counted = await _messages_counted(api, sweeper)
    job = api.container.scheduler.get_job("cleanup").func  # wrapped to run once per cluster
    assert job.__wrapped__ is nightly_cleanup
    await _on_app(api, lambda: cleanup_expired(At(NOW)))
    done = await _on_app(api, lambda: apply_retention(At(NOW), store, audit, batch=2))
    assert {ws: (s.messages, s.files) for ws, s in done.items()} == {sweeper.workspace_id: (3, 1)}

    left = await _on_app(api, lambda: Message.select(Message.id, Message.workspace_id))
    mine = {r["id"] for r in left if r["workspace_id"] == sweeper.workspace_id}
    assert mine == {swept["messages"]["recent"], swept["messages"]["old_queued"]}
    theirs = {r["id"] for r in left if r["workspace_id"] == keeper.workspace_id}
    assert theirs == set(kept["messages"].values())  # retention is off there
    files = swept["files"]
    assert not files["old.jpg"].exists()
    assert files["new.jpg"].exists() and files["shared.jpg"].exists()  # a broadcast sends it
    assert all(f.exists() for f in kept["files"].values())
    # the emptied-out history keeps its conversation; analytics totals do not move
    assert await _on_app(api, lambda: Conversation.count()) == 2
    assert await _messages_counted(api, sweeper) == counted == 4  # inbound ones
    # the knowledge base (rows and vectors) is untouched
    assert await _on_app(api, lambda: KBFaq.count()) == 1
    t = await api.client.post(
        f"/api/v1/knowledge-bases/{kb}/test", json={"query": "when are you open"},
        headers=sweeper.headers(),
    )  # fmt: skip
    assert t.json()["answer"] == faq["answer"]
    rows = await _on_app(
        api, lambda: AuditLog.select().where(AuditLog.action == "retention.delete")
    )
    assert len(rows) == 1 and rows[0]["workspace_id"] == sweeper.workspace_id
    meta = rows[0]["metadata"]
    assert (json.loads(meta) if isinstance(meta, str) else meta)["messages"] == 3
    # a second run finds nothing more and writes no audit row
    assert await _on_app(api, lambda: apply_retention(At(NOW), store, audit)) == {}


async def test_retention_setting_is_validated(api: Api) -> None:
    owner = await api.register()
    h = owner.headers()
    r = await api.client.get("/api/v1/settings", headers=h)
    assert r.json()["messageRetentionDays"] is None  # off by default
    for bad in (0, 6, 3651, "a month", 7.5):
        r = await api.client.patch(
            "/api/v1/settings", json={"messageRetentionDays": bad}, headers=h
        )
        assert r.status_code == 400, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await api.client.patch("/api/v1/settings", json={"messageRetentionDays": 7}, headers=h)
    assert r.status_code == 200 and r.json()["messageRetentionDays"] == 7
    r = await api.client.patch("/api/v1/settings", json={"messageRetentionDays": None}, headers=h)
    assert r.status_code == 200 and r.json()["messageRetentionDays"] is None
