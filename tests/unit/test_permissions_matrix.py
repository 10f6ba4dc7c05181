"""The permission table reads as the seed's and answers like it."""

from __future__ import annotations

from app.auth import Resource, can
from app.domain import Role


def test_reads_and_writes() -> None:
    assert can(Role.AGENT, Resource.CONVERSATIONS, write=True)
    assert not can(Role.AGENT, Resource.CONTACTS, write=True)
    assert can(Role.AGENT, Resource.CONTACTS, write=False)
    assert not can(Role.VIEWER, Resource.SETTINGS, write=False)
    assert can(Role.ADMIN, Resource.WHATSAPP, write=False)
    assert not can(Role.ADMIN, Resource.WHATSAPP, write=True)
    assert not can(Role.ADMIN, Resource.BILLING, write=False)
    assert all(not can(r, Resource.ANALYTICS, write=True) for r in Role)
