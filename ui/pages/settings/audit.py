"""Audit log tab: who changed what, newest first, a page at a time, filtered by action prefix
(`member.` finds every team change; `api_key.create` exactly that)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Actor, Page
from app.domain import records as m
from ui.components import PagedTable
from ui.components.format import when
from ui.pages.settings._shell import section, settings_page
from ui.state import container

COLUMNS = [
    {"name": "time", "label": "Time", "field": "time", "align": "left"},
    {"name": "actor", "label": "Actor", "field": "actor", "align": "left"},
    {"name": "action", "label": "Action", "field": "action", "align": "left"},
    {"name": "entity", "label": "Entity", "field": "entity", "align": "left"},
    {"name": "ip", "label": "IP", "field": "ip", "align": "left"},
]


class Names:
    """Turns ids in entries into names: members by user id, API keys by key id."""

    def __init__(self, members: list[m.Member], keys: list[m.ApiKey]) -> None:
        self.users = {x.user_id: x.name for x in members}
        self.keys = {k.id: k.name for k in keys}
        self.former_keys: dict[str, str] = {}

    def actor(self, entry: m.AuditEntry) -> str:
        key_id = (entry.metadata or {}).get("apiKeyId")
        if key_id:
            return f"API key {self.keys.get(key_id, '(revoked)')}"
        if entry.user_id:
            return self.users.get(entry.user_id, "former member")
        return "system"

    def entity(self, entry: m.AuditEntry) -> str:
        """`invite ana@example.com`, `user Ana → Admin`, `API key CRM sync (revoked)`."""
        if not entry.entity_type:
            return ""
        meta = entry.metadata or {}
        kind, key = entry.entity_type, entry.entity_id or ""
        label = meta.get("email") or meta.get("name") or key[:8]
        if kind == "user" and key in self.users:
            label = self.users[key]
        elif kind == "api_key" and key in self.keys:
            label = self.keys[key]
        elif kind == "api_key" and key in self.former_keys:
            label = f"{self.former_keys[key]} (revoked)"
        text = f"{'API key' if kind == 'api_key' else kind.replace('_', ' ')} {label}".strip()
        return f"{text} → {str(meta['role']).title()}" if "role" in meta else text

    def learn(self, entries: list[m.AuditEntry]) -> None:
        """Names of keys revoked since: their `api_key.create` entry still has the name."""
        for e in entries:
            name = (e.metadata or {}).get("name")
            if e.action == "api_key.create" and e.entity_id and name:
                self.former_keys.setdefault(e.entity_id, str(name))


def create() -> None:
    @settings_page("audit")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        services = container().services
        names = Names(await services.workspaces.members(actor, ws.id), [])

        async def fetch(page: int, page_size: int) -> Page[m.AuditEntry]:
            names.keys = {k.id: k.name for k in await services.api_keys.list(actor)}
            result = await services.audit.list(
                actor, page=page, page_size=page_size, action=(action.value or "").strip() or None
            )
            names.learn(result.items)
            return result

        def to_row(entry: m.AuditEntry) -> dict[str, Any]:
            return {
                "id": entry.id,
                "time": when(entry.created_at),
                "actor": names.actor(entry),
                "action": entry.action,
                "entity": names.entity(entry),
                "ip": entry.ip_address or "",
            }

        with section("Audit log", "Every change made in this workspace, newest first."):
            action = (
                ui.input("Filter by action", placeholder="e.g. member. or api_key.create")
                .props("outlined dense clearable debounce=300")
                .classes("w-full max-w-xs")
            )
            action.mark("audit-filter")
            table = PagedTable(COLUMNS, fetch, to_row, page_size=20).mark("audit")
            action.on_value_change(lambda: table.load(1))
            await table.load(1)
