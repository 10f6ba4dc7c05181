"""Contacts import from CSV (issue 15.4): a preview first (`dry_run`: what would be created,
updated, and every rejected row with its reason), then the import.

Numbers are normalised to E.164 (`default_country` reads national numbers such as `0176 …`);
a number that is already a contact updates it — name, notes, language and custom fields when
the file has them, labels added, nothing removed. Missing labels are created. Rows are
written in batches of `BATCH` per transaction, so a big file never holds the database's one
writer for long; the whole import is audited once.

Integrations hear of every contact as if it had been added or edited by hand: webhooks get
`contact.created` for each new contact and `contact.updated` for each existing one the file
touched (its row carries a name, notes, language, labels or fields), recorded in the batch's
transaction; live views and API WebSocket clients get the same after each batch commits.
Labels added by an import do not start "label added" flows — a file of thousands would start
thousands of runs at once; a flow for imported contacts is started by a broadcast or by hand.
"""

from __future__ import annotations

import zlib
from typing import Any

from app.auth import Resource, guarded
from app.db import fast
from app.db.repos.resolver import ensure_contact
from app.db.tables import Contact, ContactCustomField, ContactLabel, Label
from app.domain import Actor, Clock, Invalid, new_id
from app.domain import conversations as c
from app.domain.phones import jid_of, valid_region
from app.events import Event, EventBus, catalog
from app.records import AuditTrail, WebhookOutbox
from app.services.contact_csv import ImportRow, decode, parse_import
from app.services.contact_queries import ContactQueries

BATCH = 200
PREVIEW_ROWS = 20
PALETTE = ("#607D8B", "#E91E63", "#3F51B5", "#009688", "#FF9800", "#795548", "#9C27B0")
_LABEL = (
    "INSERT INTO labels (id, workspace_id, name, color, created_at) VALUES ({}, {}, {}, {}, {}) "
    "ON CONFLICT (workspace_id, name) DO NOTHING"
)
_TAG = (
    "INSERT INTO contact_labels (id, contact_id, label_id) VALUES ({}, {}, {}) "
    "ON CONFLICT (contact_id, label_id) DO NOTHING"
)
_FIELD = (
    "INSERT INTO contact_custom_fields (id, contact_id, key, value) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (contact_id, key) DO UPDATE SET value = excluded.value"
)


class ContactImportService:
    def __init__(
        self,
        audit: AuditTrail,
        clock: Clock,
        queries: ContactQueries,
        webhooks: WebhookOutbox,
        events: EventBus,
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._queries = queries
        self._webhooks = webhooks
        self._events = events

    @guarded(Resource.CONTACTS, write=True)
    async def run(
        self, actor: Actor, data: bytes, *, dry_run: bool, default_country: str | None = None
    ) -> c.ContactImport:
        """Read the CSV; with `dry_run` only report, else import the accepted rows."""
        if default_country and not valid_region(default_country):
            raise Invalid(f"defaultCountry: {default_country!r} is not a country code (e.g. DE)")
        region = default_country.upper() if default_country else None
        parsed = parse_import(decode(data), region)
        ws = actor.workspace_id or ""
        existing = await self._existing(ws, [r.phone for r in parsed.rows])
        labels = {name for r in parsed.rows for name in r.labels}
        known = await self._labels(ws, labels)
        created = sum(r.phone not in existing for r in parsed.rows)
        if not dry_run:
            await self._write(actor, parsed.rows, labels - set(known))
            await self._audit.record(
                actor, "contact.import", "contact", None,
                {"created": created, "updated": len(parsed.rows) - created,
                 "rejected": len(parsed.rejected)},
            )  # fmt: skip
        return c.ContactImport(
            dry_run=dry_run,
            total=len(parsed.rows) + len(parsed.rejected),
            created=created,
            updated=len(parsed.rows) - created,
            rejected=len(parsed.rejected),
            rejected_rows=[c.ImportRejection(**r._asdict()) for r in parsed.rejected],
            preview=[_preview(r, r.phone in existing) for r in parsed.rows[:PREVIEW_ROWS]],
            new_labels=sorted(labels - set(known)),
            custom_fields=parsed.custom_columns,
            ignored_columns=parsed.ignored_columns,
        )

    async def _existing(self, ws: str, phones: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(phones), 500):
            jids = [jid_of(p) for p in phones[start : start + 500]]
            rows = await Contact.select(Contact.jid).where(
                (Contact.workspace_id == ws) & Contact.jid.is_in(jids)
            )
            found |= {"+" + r["jid"].split("@", 1)[0] for r in rows}
        return found

    async def _labels(self, ws: str, names: set[str]) -> dict[str, str]:
        if not names:
            return {}
        rows = await Label.select(Label.id, Label.name).where(
            (Label.workspace_id == ws) & Label.name.is_in(sorted(names))
        )
        return {r["name"]: r["id"] for r in rows}

    async def _write(self, actor: Actor, rows: list[ImportRow], new_labels: set[str]) -> None:
        ws, now = actor.workspace_id or "", self._clock.now()
        for name in sorted(new_labels):
            color = PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]
            await fast.execute(Label, _LABEL, new_id(), ws, name, color, now)
        label_ids = await self._labels(ws, {n for r in rows for n in r.labels})
        for start in range(0, len(rows), BATCH):
            async with Contact._meta.db.transaction():
                written = [
                    await self._upsert(ws, row, label_ids, now)
                    for row in rows[start : start + BATCH]
                ]
                told = await self._tell(actor, written)
            for event in told:
                self._events.publish(event)

    async def _tell(self, actor: Actor, written: list[tuple[str, bool, bool]]) -> list[Event]:
        """Inside the batch's transaction: `contact.created` / `contact.updated` for the
        webhooks that want them; the same events are published after the commit."""
        ws = actor.workspace_id or ""
        wanted = {cid: created for cid, created, changed in written if created or changed}
        contacts = await self._queries.many(actor, sorted(wanted))
        by_id = {contact.id: contact for contact in contacts}
        told = [
            catalog.contact_created(ws, by_id[cid])
            if created
            else catalog.contact_updated(ws, by_id[cid])
            for cid, created in wanted.items()
            if cid in by_id
        ]
        await self._webhooks.record(*told)
        return told

    async def _upsert(
        self, ws: str, row: ImportRow, label_ids: dict[str, str], now: Any
    ) -> tuple[str, bool, bool]:
        """(contact id, created, whether the row carried anything to change)."""
        contact, created = await ensure_contact(ws, None, jid_of(row.phone), now)
        changes: dict[Any, Any] = {}
        if row.name:
            changes[Contact.display_name] = row.name
        if row.notes:
            changes[Contact.notes] = row.notes
        if row.language:
            changes[Contact.language] = row.language
        if changes:
            changes[Contact.updated_at] = now
            await Contact.update(changes).where(Contact.id == contact["id"])
        for name in row.labels:
            await fast.execute(ContactLabel, _TAG, new_id(), contact["id"], label_ids[name])
        for key, value in row.fields.items():
            await fast.execute(ContactCustomField, _FIELD, new_id(), contact["id"], key, value)
        return str(contact["id"]), created, bool(changes or row.labels or row.fields)


def _preview(row: ImportRow, exists: bool) -> c.ImportPreviewRow:
    return c.ImportPreviewRow(
        line=row.line,
        phone_number=row.phone,
        name=row.name,
        labels=list(row.labels),
        custom_fields=row.fields,
        exists=exists,
    )
