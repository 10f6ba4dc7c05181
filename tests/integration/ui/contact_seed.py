"""For the contacts page tests: contacts written straight to the table (fast, exact
timestamps for sorting) or made by real inbound messages through the simulator session; and
small ways to drive and read the simulated pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from nicegui import ui
from nicegui.testing.user import User

from app.db.tables import Contact
from app.domain import Actor, Role, new_id
from app.domain import records as m
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _eventually

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def owner_actor(owner: m.Session) -> Actor:
    assert owner.workspace is not None
    return Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)


async def rows(owner: m.Session, names: list[str]) -> list[str]:
    """One contact per name; the i-th was last active i minutes after T0; phone +4900000000i."""
    assert owner.workspace is not None
    ids = []
    for i, name in enumerate(names):
        contact_id = new_id()
        ids.append(contact_id)
        phone = f"+49000000{i:04d}"
        await Contact.insert(
            Contact(
                id=contact_id,
                workspace_id=owner.workspace.id,
                jid=f"{phone[1:]}@s.whatsapp.net",
                phone_number=phone,
                name=name,
                first_seen_at=T0,
                last_message_at=T0 + timedelta(minutes=i),
                created_at=T0,
                updated_at=T0,
            )
        )
    return ids


async def inbound(dashboard: Dashboard, owner: m.Session, sender: str, name: str, text: str) -> str:
    """A real message through the pipeline; returns the contact id once it exists."""
    services = dashboard.container.services
    actor = owner_actor(owner)
    sessions = await services.sessions.list(actor)
    session = sessions[0] if sessions else await services.sessions.create(actor, "sim", "simulator")
    await services.sessions.simulate(
        actor, session.id, from_=sender, name=name, text=text, media=None, wa_message_id=None
    )
    for _ in range(200):
        found = await services.contact_queries.list(actor, search=sender.lstrip("+"))
        if found.items:
            return found.items[0].id
        await asyncio.sleep(0.05)
    raise AssertionError(f"no contact for {sender}")


def table(user: User) -> ui.table:
    return next(iter(user.find(kind=ui.table, marker="contacts-table").elements))


async def names_become(user: User, names: list[str]) -> None:
    async def shown() -> bool:
        return [row["name"] for row in table(user).rows] == names

    await _eventually(shown)


def select(user: User, names: list[str]) -> None:
    rows = [r for r in table(user).rows if r["name"] in names]
    user.find(marker="contacts-table").trigger(
        "selection", {"added": True, "rows": rows, "keys": [r["id"] for r in rows]}
    )


def set_value(user: User, marker: str, value: Any) -> None:
    with user:
        next(iter(user.find(marker=marker).elements)).value = value


async def blocked(dashboard: Dashboard, owner, names: set[str]) -> bool:  # type: ignore[no-untyped-def]
    found = await dashboard.container.services.contact_queries.list(
        owner_actor(owner), blocked=True
    )
    return {c.name for c in found.items} == names


async def labels_of(dashboard: Dashboard, owner, contact_id: str, names: list[str]) -> bool:  # type: ignore[no-untyped-def]
    contact = await dashboard.container.services.contact_queries.get(owner_actor(owner), contact_id)
    return sorted(lb.name for lb in contact.labels) == names


async def has(get, **expected: Any) -> bool:  # type: ignore[no-untyped-def]
    found = await get()
    return all(getattr(found, k) == v for k, v in expected.items())
