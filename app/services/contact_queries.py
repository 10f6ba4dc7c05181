"""Reading contacts: the list with its filters and sort orders, one contact with its labels
and custom fields, and the CSV export — one filter (`_where`) and one loader (`_with_extras`)
serve all three. The changes are `ContactService`'s, which finds its contacts through here.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.query import OrderByRaw
from piccolo.querystring import QueryString

from app.auth import Resource, guarded
from app.db.repos import mapping
from app.db.repos.search import contact_matches
from app.db.tables import Contact, ContactCustomField, ContactLabel
from app.domain import Actor, Invalid, NotFound, Page
from app.domain import conversations as c
from app.services._rows import page_bounds
from app.services.contact_csv import csv_header, csv_rows

# list orders: the shown name (set name, else WhatsApp name, else phone), phone, activity
SORTS: dict[str, Column | QueryString] = {
    "name": OrderByRaw("LOWER(COALESCE(display_name, name, phone_number))"),
    "phone": Contact.phone_number,
    "recent": Contact.last_message_at,
    "first_seen": Contact.first_seen_at,
}


class ContactQueries:
    """No state of its own: the actor's workspace scopes every query."""

    def _where(self, actor: Actor, **filters: Any) -> Combinable:
        where: Combinable = Contact.workspace_id == actor.workspace_id
        for flag, column in (
            ("blocked", Contact.is_blocked),
            ("takeover", Contact.human_takeover),
            ("vip", Contact.is_vip),
        ):
            if filters.get(flag) is not None:
                where &= column == filters[flag]
        if filters.get("label"):
            linked = ContactLabel.select(ContactLabel.contact_id).where(
                ContactLabel.label_id == filters["label"]
            )
            where &= Contact.id.is_in(linked)
        if filters.get("search"):
            where &= contact_matches(filters["search"])
        if filters.get("ids") is not None:
            where &= Contact.id.is_in(list(filters["ids"]) or [""])
        return where

    @guarded(Resource.CONTACTS, write=False)
    async def list(
        self,
        actor: Actor,
        *,
        page: int = 1,
        page_size: int = 50,
        sort: str = "recent",
        descending: bool | None = None,
        **filters: Any,
    ) -> Page[c.Contact]:
        """One page; `sort` is a key of SORTS (recent activity first unless told otherwise)."""
        if sort not in SORTS:
            raise Invalid(f"sort: one of {', '.join(SORTS)}")
        limit, offset = page_bounds(page, page_size)
        where = self._where(actor, **filters)
        down = sort == "recent" if descending is None else descending
        rows = (
            await Contact.select()
            .where(where)
            .order_by(SORTS[sort], ascending=not down)
            .order_by(Contact.id)
            .limit(limit)
            .offset(offset)
        )
        total = await Contact.count().where(where)
        items = await self._with_extras(rows)
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    async def _with_extras(self, rows: builtins.list[dict[str, Any]]) -> builtins.list[c.Contact]:
        ids = [r["id"] for r in rows]
        labels: dict[str, builtins.list[c.Label]] = {i: [] for i in ids}
        fields: dict[str, dict[str, str]] = {i: {} for i in ids}
        if ids:
            links = await ContactLabel.select(
                ContactLabel.contact_id, *ContactLabel.label_id.all_columns()
            ).where(ContactLabel.contact_id.is_in(ids))
            for link in links:
                labels[link["contact_id"]].append(
                    c.Label(
                        id=link["label_id.id"],
                        name=link["label_id.name"],
                        color=link["label_id.color"],
                        created_at=link["label_id.created_at"],
                    )
                )
            for f in await ContactCustomField.select().where(
                ContactCustomField.contact_id.is_in(ids)
            ):
                fields[f["contact_id"]][f["key"]] = f["value"]
        return [mapping.contact(r, labels[r["id"]], fields[r["id"]]) for r in rows]

    @guarded(Resource.CONTACTS, write=False)
    async def row(self, actor: Actor, contact_id: str) -> dict[str, Any]:
        """The contact's row, if it is the actor's workspace's; else NotFound."""
        row = (
            await Contact.select()
            .where((Contact.id == contact_id) & (Contact.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("contact not found")
        return row

    @guarded(Resource.CONTACTS, write=False)
    async def many(self, actor: Actor, ids: builtins.list[str]) -> builtins.list[c.Contact]:
        """The actor's workspace's contacts among `ids`, with labels and custom fields (in no
        particular order; ids of other workspaces are left out)."""
        if not ids:
            return []
        rows = await Contact.select().where(
            Contact.id.is_in(ids) & (Contact.workspace_id == actor.workspace_id)
        )
        return await self._with_extras(rows)

    @guarded(Resource.CONTACTS, write=False)
    async def get(self, actor: Actor, contact_id: str) -> c.Contact:
        return (await self._with_extras([await self.row(actor, contact_id)]))[0]

    @guarded(Resource.CONTACTS, write=False)
    async def export_csv(self, actor: Actor, **filters: Any) -> AsyncIterator[bytes]:
        """The workspace's contacts (those matching `filters`, as for `list`, plus `ids`) as
        CSV, streamed page by page."""
        yield csv_header()
        where = self._where(actor, **filters)
        after = ""
        while True:
            rows = (
                await Contact.select()
                .where(where & (Contact.id > after))
                .order_by(Contact.id)
                .limit(500)
            )
            if not rows:
                return
            yield csv_rows(await self._with_extras(rows))
            after = rows[-1]["id"]
