"""`GET /api/v1/contacts/{id}/export` (issue 17 item 5): a zip of every record the contact's
id reaches — checked against rows seeded in every such table, and against the table registry
itself, so a table added later with a `contact_id` / `conversation_id` column is not forgotten."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from piccolo.columns import ForeignKey
from piccolo.table import Table

from app.db.tables import (
    ALL_TABLES,
    AuditLog,
    Broadcast,
    BroadcastRecipient,
    Contact,
    ContactCustomField,
    ContactLabel,
    Conversation,
    Flow,
    FlowRun,
    FlowRunEvent,
    Label,
    Message,
    Outbox,
    Webhook,
    WebhookDelivery,
)
from app.db.tables import WhatsappSession as SessionRow
from app.domain import Actor, Role, new_id
from app.services.contact_export import CHUNK, export_plan
from tests.integration.api.conftest import Api
from tests.integration.api.test_analytics import _on_app

MEDIA = b"\xff\xd8\xff" + bytes(range(256)) * 12_000  # ~3 MB: several chunks


async def _person(ws: str, media_dir: Path, tag: str) -> dict[str, set[str]]:
    """A contact with a row in every table their id reaches; returns the ids by table."""
    session = SessionRow(workspace_id=ws, account_id=f"a-{tag}", channel="simulator")
    await SessionRow.insert(session)
    made: dict[str, set[str]] = {}

    async def add(row: Table) -> str:
        await type(row).insert(row)
        made.setdefault(type(row)._meta.tablename, set()).add(row.id)
        return str(row.id)

    contact = await add(Contact(workspace_id=ws, session_id=session.id, jid=f"{tag}@s",
                                phone_number="4915100000", name=tag))  # fmt: skip
    label = await add(Label(workspace_id=ws, name=f"vip-{tag}", color="#ff0000"))
    await add(ContactLabel(contact_id=contact, label_id=label))
    await add(ContactCustomField(contact_id=contact, key="city", value="Berlin"))
    conv = await add(Conversation(workspace_id=ws, session_id=session.id, contact_id=contact))
    (media_dir / ws).mkdir(parents=True, exist_ok=True)
    (media_dir / ws / f"{tag}.jpg").write_bytes(MEDIA)
    text = await add(
        Message(
            workspace_id=ws,
            conversation_id=conv,
            session_id=session.id,
            direction="INBOUND",
            sender_type="CONTACT",
            content=f"hi {tag}",
        )
    )
    photo = await add(
        Message(
            workspace_id=ws,
            conversation_id=conv,
            session_id=session.id,
            direction="INBOUND",
            sender_type="CONTACT",
            media_type="IMAGE",
            media_url=f"media/{ws}/{tag}.jpg",
            media_filename="photo.jpg",
        )
    )
    await add(Outbox(workspace_id=ws, session_id=session.id, conversation_id=conv,
                     message_id=text, jid=f"{tag}@s", payload={"text": "hello"}))  # fmt: skip
    flow = new_id()
    await Flow.insert(Flow(id=flow, workspace_id=ws, name=f"f-{tag}", trigger_type="KEYWORD"))
    run = await add(FlowRun(workspace_id=ws, flow_id=flow, version=1, contact_id=contact,
                            conversation_id=conv))  # fmt: skip
    await add(FlowRunEvent(run_id=run, at=datetime.now(UTC), event="entered"))
    broadcast = new_id()
    await Broadcast.insert(Broadcast(id=broadcast, workspace_id=ws, name="b", message="hi",
                                     target_type="ALL"))  # fmt: skip
    await add(BroadcastRecipient(broadcast_id=broadcast, contact_id=contact, message_id=photo))
    for entity in (contact, conv, photo):
        await add(AuditLog(workspace_id=ws, action="x.y", entity_type="any", entity_id=entity))
    hook = new_id()
    await Webhook.insert(Webhook(id=hook, workspace_id=ws, name="h", url="https://e.test/h"))
    body = json.dumps({"event": "message.inbound", "data": {"contactId": contact}})
    await add(WebhookDelivery(webhook_id=hook, workspace_id=ws, event_id=new_id(),
                              event_type="message.inbound", body=body, seq=1))  # fmt: skip
    return made


def _linked(table: type[Table]) -> bool:
    """A table with a contact or conversation column (a key or not): the contact reaches it."""
    for column in table._meta.columns:
        if column._meta.name in ("contact_id", "conversation_id"):
            return True
        target = getattr(column, "_foreign_key_meta", None)
        if isinstance(column, ForeignKey) and target.resolved_references in (Contact, Conversation):
            return True
    return False


def _read(data: bytes) -> tuple[dict[str, set[str]], dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    tables, media = {}, {}
    for name in archive.namelist():
        if name.startswith("tables/"):
            rows = json.loads(archive.read(name))
            tables[name.removeprefix("tables/").removesuffix(".json")] = {r["id"] for r in rows}
        elif name.startswith("media/"):
            media[name] = archive.read(name)
    return tables, media


async def test_export_holds_every_record_the_contact_reaches(api_any_db: Api) -> None:
    api = api_any_db
    owner, stranger = await api.register("Owner"), await api.register("Stranger")
    admin = await api.member(owner, Role.ADMIN)
    agent = await api.member(owner, Role.AGENT)
    media_dir = api.container.settings.media_path
    mine = await _on_app(api, lambda: _person(owner.workspace_id, media_dir, "ann"))
    other = await _on_app(api, lambda: _person(owner.workspace_id, media_dir, "bob"))
    theirs = await _on_app(api, lambda: _person(stranger.workspace_id, media_dir, "eve"))
    contact = next(iter(mine["contacts"]))
    url = f"/api/v1/contacts/{contact}/export"

    r = await api.client.get(url, headers=admin.headers())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="contact-{contact}')
    tables, media = _read(r.content)
    exported = await _on_app(
        api, lambda: AuditLog.select(AuditLog.id).where(AuditLog.action == "contact.export")
    )
    mine["audit_logs"] |= {row["id"] for row in exported}  # the export's own entry is about ann
    # exactly the contact's rows: none of bob's, none of eve's (a table this test seeds
    # nothing in — one added later — is an empty file)
    assert {name: ids for name, ids in tables.items() if ids} == mine
    assert all(not (tables.get(t, set()) & ids) for t, ids in other.items())
    assert list(media.values()) == [MEDIA]
    assert next(iter(media)).endswith("-photo.jpg")
    # the registry walk: every table with a contact or conversation column is exported
    linked = {t._meta.tablename for t in ALL_TABLES if _linked(t)}
    planned = {step.table._meta.tablename for step in export_plan()}
    assert linked <= planned, f"not in the export: {sorted(linked - planned)}"
    assert linked <= set(tables), f"no file for: {sorted(linked - set(tables))}"

    # owners and admins only; another workspace's contact is not found; audited
    assert (await api.client.get(url, headers=agent.headers())).status_code == 403
    r = await api.client.get(url, headers=stranger.headers())
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    for missing in (next(iter(theirs["contacts"])), "nope"):
        r = await api.client.get(f"/api/v1/contacts/{missing}/export", headers=owner.headers())
        assert r.status_code == 404, missing
    rows = await _on_app(api, lambda: AuditLog.select().where(AuditLog.action == "contact.export"))
    assert [(r["entity_id"], r["user_id"]) for r in rows] == [(contact, admin.user_id)]


async def test_export_streams_in_bounded_pieces(api: Api) -> None:
    owner = await api.register()
    media_dir = api.container.settings.media_path
    mine = await _on_app(api, lambda: _person(owner.workspace_id, media_dir, "ann"))
    contact = next(iter(mine["contacts"]))
    actor = Actor(owner.user_id).in_workspace(owner.workspace_id, Role.OWNER)

    async def pieces() -> list[int]:
        export = await api.container.services.contact_export.open(actor, contact)
        return [len(piece) async for piece in export.chunks]

    sizes = await _on_app(api, pieces)
    assert sum(sizes) > len(MEDIA) and len(sizes) >= 4
    assert max(sizes) <= CHUNK + 64 * 1024  # never the whole file (or archive) at once


async def test_delete_erases_every_reached_row_and_file_but_shared_ones(api: Api) -> None:
    """Item 3's check: the existing `DELETE /contacts/{id}` is the erasure — every row the
    export reaches goes (by cascade), the contact's files go, a broadcast's shared file stays."""
    owner = await api.register()
    ws, media_dir = owner.workspace_id, api.container.settings.media_path
    mine = await _on_app(api, lambda: _person(ws, media_dir, "ann"))
    other = await _on_app(api, lambda: _person(ws, media_dir, "bob"))
    ann = next(iter(mine["contacts"]))
    conv = next(iter(mine["conversations"]))
    (media_dir / ws / "shared.jpg").write_bytes(MEDIA)

    async def shared() -> None:
        url = f"media/{ws}/shared.jpg"
        await Broadcast.insert(Broadcast(workspace_id=ws, name="s", message="hi",
                                         target_type="ALL", media={"url": url}))  # fmt: skip
        await Message.insert(Message(workspace_id=ws, conversation_id=conv, media_url=url,
                                     direction="OUTBOUND", sender_type="BOT"))  # fmt: skip

    await _on_app(api, shared)
    r = await api.client.delete(f"/api/v1/contacts/{ann}", headers=owner.headers())
    assert r.status_code == 204, r.text
    assert not (media_dir / ws / "ann.jpg").exists()
    assert (media_dir / ws / "shared.jpg").exists() and (media_dir / ws / "bob.jpg").exists()
    for step in export_plan():
        table = step.table
        ids = {r["id"] for r in await _on_app(api, lambda t=table: t.select(t._meta.primary_key))}
        name = table._meta.tablename
        assert not ids & mine.get(name, set()), f"{name} keeps the erased contact's rows"
        assert other.get(name, set()) <= ids, f"{name} lost another contact's rows"
    r = await api.client.get(f"/api/v1/contacts/{ann}/export", headers=owner.headers())
    assert r.status_code == 404
    rows = await _on_app(api, lambda: AuditLog.select().where(AuditLog.action == "contact.delete"))
    assert [(r["entity_id"], r["metadata"]) for r in rows] == [(ann, None)]
    bare = Contact(workspace_id=ws, jid="bare@s", phone_number="1")  # no messages, no files
    await _on_app(api, lambda: Contact.insert(bare))
    r = await api.client.delete(f"/api/v1/contacts/{bare.id}", headers=owner.headers())
    assert r.status_code == 204, r.text


def test_a_table_added_later_is_planned_without_a_change() -> None:
    """What the canned-replies/notes/CSAT work (m0025) adds is exported as soon as it is in
    `ALL_TABLES`: by a foreign key to a reached table, or by a plain id column."""
    from piccolo.columns import Integer, Varchar

    class Rating(Table, tablename="later_ratings"):
        conversation_id = ForeignKey(references=Conversation)
        score = Integer()

    class Note(Table, tablename="later_notes"):
        contact_id = Varchar(length=36)

    class Unrelated(Table, tablename="later_unrelated"):
        label_id = ForeignKey(references=Label)

    plan = {step.table for step in export_plan((*ALL_TABLES, Rating, Note, Unrelated))}
    assert {Rating, Note} <= plan and Unrelated not in plan
