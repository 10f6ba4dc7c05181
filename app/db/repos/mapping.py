"""Rows (piccolo dicts) → domain records of `app.domain.conversations`."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import msgspec

from app.domain import conversations as c

M = TypeVar("M", bound=msgspec.Struct)


def to_model(cls: type[M], row: dict[str, Any], **extra: Any) -> M:
    """`cls` from a snake_case row (unknown keys ignored; `extra` overrides)."""
    values = {f: row[f] for f in cls.__struct_fields__ if f in row}
    values.update(extra)
    return cls(**values)


def json_value(value: Any, default: Any) -> Any:
    """A JSON column as Python: SQLite hands back text, Postgres already-decoded values."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return default if value is None else value


def message(row: dict[str, Any]) -> c.Message:
    return to_model(c.Message, row, kb_chunks_used=json_value(row.get("kb_chunks_used"), []))


def contact(
    row: dict[str, Any],
    labels: list[c.Label] | None = None,
    fields: dict[str, str] | None = None,
) -> c.Contact:
    return to_model(c.Contact, row, labels=labels or [], custom_fields=fields or {})


def conversation(row: dict[str, Any], contact_model: c.Contact | None = None) -> c.Conversation:
    return to_model(c.Conversation, row, contact=contact_model)


def session(row: dict[str, Any]) -> c.WhatsappSession:
    return to_model(c.WhatsappSession, row)


def label(row: dict[str, Any]) -> c.Label:
    return to_model(c.Label, row)
