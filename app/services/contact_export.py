"""Everything stored about one contact, as a zip (issue 17 item 5: a GDPR data-subject access
request): one JSON file per table, the media files of their messages, and `manifest.json`.

Which rows belong to the contact is not a hand-kept list: `export_plan()` walks the table
registry (`ALL_TABLES`) from `contacts` along every foreign key, and every plain
`contact_id` / `conversation_id` column, into the tables already reached — conversations,
messages, the outbox, labels links, custom fields, flow runs and their events, broadcast
recipients, and whatever table a later migration adds with such a column. Three things reach
the contact without a key and are added by name: the labels they carry, the audit entries
about them (the contact, their conversations or messages) and the webhook deliveries whose
body names them (kept 7 days).

The zip is streamed: rows are read a page at a time and a media file a chunk at a time, and
each piece of the archive is handed out as soon as it is written (zip data descriptors, no
seeking back), so memory stays flat for a contact with gigabytes of media.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from piccolo.columns import Column, ForeignKey
from piccolo.table import Table

from app.auth import Resource, guarded
from app.db.tables import (
    ALL_TABLES,
    AuditLog,
    Contact,
    ContactLabel,
    Conversation,
    Label,
    Message,
    WebhookDelivery,
)
from app.domain import Actor, Clock, owned_key
from app.records import AuditTrail
from app.services.contact_queries import ContactQueries
from app.storage import Storage

PAGE = 500  # rows per query
CHUNK = 1024 * 1024  # bytes of a media file read at a time
LINK_COLUMNS = {"contact_id": Contact, "conversation_id": Conversation}


@dataclass(frozen=True, slots=True)
class Link:
    """`column` of a reached table holds ids of `target` (another reached table)."""

    column: Column
    target: type[Table]


@dataclass(frozen=True, slots=True)
class Step:
    table: type[Table]
    links: tuple[Link, ...]


def export_plan(tables: tuple[type[Table], ...] = ALL_TABLES) -> list[Step]:
    """The tables whose rows a contact's id reaches, each with the columns that reach it,
    parents before children (`contacts` first, as the root)."""
    reached: list[type[Table]] = [Contact]
    plan = [Step(Contact, ())]
    grew = True
    while grew:  # until no table links into the reached set (order in ALL_TABLES not assumed)
        grew = False
        for table in tables:
            if table in reached:
                continue
            links = tuple(_links(table, reached))
            if links:
                reached.append(table)
                plan.append(Step(table, links))
                grew = True
    return plan


def _links(table: type[Table], reached: list[type[Table]]) -> list[Link]:
    found = []
    for column in table._meta.columns:
        target: type[Table] | None = LINK_COLUMNS.get(column._meta.name)
        if isinstance(column, ForeignKey):
            target = column._foreign_key_meta.resolved_references
        if target is not None and target in reached:
            found.append(Link(column, target))
    return found


class _Sink(io.RawIOBase):
    """An unseekable file the zip is written into; `take()` hands out what was written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


@dataclass(frozen=True, slots=True)
class ContactExport:
    """An export the actor may download: its file name and its bytes, piece by piece."""

    contact_id: str
    filename: str
    chunks: AsyncIterator[bytes]


class ContactExportService:
    def __init__(self, queries: ContactQueries, audit: AuditTrail, clock: Clock, storage: Storage):
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._storage = storage

    @guarded(Resource.EXPORTS, write=False)
    async def open(self, actor: Actor, contact_id: str) -> ContactExport:
        """Check and audit the request now (a 404 or 403 before any byte is sent); the zip is
        made while it is downloaded."""
        await self._queries.row(actor, contact_id)
        await self._audit.record(actor, "contact.export", "contact", contact_id)
        now = self._clock.now()
        name = f"contact-{contact_id}-{now:%Y%m%d-%H%M%S}.zip"
        ws = actor.workspace_id or ""
        return ContactExport(contact_id, name, self._zip(ws, contact_id, now))

    async def _zip(self, workspace_id: str, contact_id: str, now: datetime) -> AsyncIterator[bytes]:
        sink = _Sink()
        archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
        counts: dict[str, int] = {}
        wheres = _wheres(export_plan(), workspace_id, contact_id)
        for table, where in [*wheres.items(), *_extras(workspace_id, contact_id, wheres)]:
            name = table._meta.tablename
            with archive.open(f"tables/{name}.json", "w") as out:
                out.write(b"[")
                counts[name] = 0
                async for row in _rows(table, where):
                    out.write((b",\n" if counts[name] else b"\n") + _json(row))
                    counts[name] += 1
                    if counts[name] % PAGE == 0:
                        yield sink.take()
                out.write(b"\n]\n")
            yield sink.take()
        files = []
        async for row in _rows(Message, wheres[Message] & Message.media_url.is_not_null()):
            key = owned_key(workspace_id, row["media_url"])
            size = None if key is None else await self._storage.size(key)
            if key is None or size is None:
                continue  # a file already gone (retention, or never fetched)
            name = Path(row["media_filename"] or PurePosixPath(key).name).name
            arcname = f"media/{row['id']}-{name}"
            stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
            pieces = self._storage.stream(key, CHUNK)
            async for piece in _add_file(archive, sink, arcname, pieces, size, stamp):
                yield piece
            files.append({"messageId": row["id"], "file": arcname})
        manifest = {
            "contactId": contact_id,
            "workspaceId": workspace_id,
            "exportedAt": now.isoformat(),
            "tables": counts,
            "media": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.close()
        yield sink.take()


def _wheres(plan: list[Step], workspace_id: str, contact_id: str) -> dict[type[Table], Any]:
    """Each reached table's WHERE: its links into the tables before it, as sub-selects, and
    the workspace where the table has one (a second fence around another tenant's rows)."""
    wheres: dict[type[Table], Any] = {}
    for step in plan:
        table = step.table
        where: Any
        if not step.links:
            where = _pk(table) == contact_id
        else:
            parts = [
                link.column.is_in(link.target.select(_pk(link.target)).where(wheres[link.target]))
                for link in step.links
            ]
            where = parts[0]
            for part in parts[1:]:
                where = where | part
        if "workspace_id" in {c._meta.name for c in table._meta.columns}:
            where = where & (table._meta.get_column_by_name("workspace_id") == workspace_id)
        wheres[table] = where
    return wheres


def _extras(
    workspace_id: str, contact_id: str, wheres: dict[type[Table], Any]
) -> list[tuple[type[Table], Any]]:
    """What reaches the contact without a key: the labels they carry, the audit entries
    about them or their conversations and messages, webhook deliveries that name them."""
    about = [Contact, Conversation, Message]
    audited: Any = AuditLog.entity_id.is_in(Contact.select(Contact.id).where(wheres[Contact]))
    for table in about[1:]:
        audited = audited | AuditLog.entity_id.is_in(table.select(_pk(table)).where(wheres[table]))
    labels = ContactLabel.select(ContactLabel.label_id).where(ContactLabel.contact_id == contact_id)
    named = WebhookDelivery.body.like(f"%{contact_id}%")
    return [
        (Label, Label.id.is_in(labels)),
        (AuditLog, (AuditLog.workspace_id == workspace_id) & audited),
        (WebhookDelivery, (WebhookDelivery.workspace_id == workspace_id) & named),
    ]


def _pk(table: type[Table]) -> Column:
    """The table's `id` (every table of ours has one; piccolo's types do not know it)."""
    return table._meta.primary_key


async def _rows(table: type[Table], where: Any) -> AsyncIterator[dict[str, Any]]:
    """The rows matching `where`, a page at a time in primary key order."""
    last: str | None = None
    while True:
        query = table.select().where(where)
        if last is not None:
            query = query.where(_pk(table) > last)
        page = await query.order_by(_pk(table)).limit(PAGE).output(load_json=True)
        for row in page:
            yield row
        if len(page) < PAGE:
            return
        last = page[-1]["id"]


def _json(row: dict[str, Any]) -> bytes:
    return json.dumps(row, default=_plain, ensure_ascii=False).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def _add_file(
    archive: zipfile.ZipFile,
    sink: _Sink,
    arcname: str,
    pieces: AsyncIterator[bytes],
    size: int,
    date_time: tuple[int, int, int, int, int, int],
) -> AsyncIterator[bytes]:
    """Copy a stored file (local or S3) into the archive uncompressed (media is compressed
    already), a piece at a time, handing each written piece out. The entry carries the
    export's time: an S3 object has no file time to keep."""
    info = zipfile.ZipInfo(arcname, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    with archive.open(info, "w", force_zip64=size >= 2**31) as out:
        async for chunk in pieces:
            out.write(chunk)
            yield sink.take()


__all__ = ["ContactExport", "ContactExportService", "export_plan"]
