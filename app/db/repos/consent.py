"""A contact's broadcast consent: opting out (an opt-out word, or by hand) and back in."""

from __future__ import annotations

from datetime import datetime

from app.db.tables import Contact


async def opt_out(contact_id: str, now: datetime) -> bool:
    """Opt the contact out; True only for the call that changed it (a guarded UPDATE), so two
    "STOP"s in a row are confirmed once."""
    changed = (
        await Contact.update({Contact.opted_out_at: now, Contact.updated_at: now})
        .where((Contact.id == contact_id) & Contact.opted_out_at.is_null())
        .returning(Contact.id)
    )
    return bool(changed)


async def opt_in(contact_id: str, now: datetime) -> None:
    await Contact.update({Contact.opted_out_at: None, Contact.updated_at: now}).where(
        Contact.id == contact_id
    )
