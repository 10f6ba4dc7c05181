"""Case-insensitive substring match on both engines (SQLite's LIKE already ignores ASCII
case and has no ILIKE; Postgres needs ILIKE)."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from app.db.tables import Contact


def contact_matches(term: str) -> Any:
    pattern = f"%{term.replace('%', '').replace('_', '')}%"
    columns = (Contact.name, Contact.display_name, Contact.phone_number, Contact.jid)
    sqlite = Contact._meta.db.engine_type == "sqlite"
    clauses = [col.like(pattern) if sqlite else col.ilike(pattern) for col in columns]
    where: Combinable = clauses[0]
    for clause in clauses[1:]:
        where |= clause
    return where
