"""Column factories shared by every table, so ids, timestamps and foreign keys look the same.

Conventions (mirrored by the hand-written migrations in `app/db/migrations/`):
- primary key `id`: VARCHAR(36) filled with `new_id()` (25 chars, room left for UUIDs);
- timestamps are TIMESTAMPTZ and always timezone-aware UTC in Python;
- foreign keys are named `<thing>_id` and say their ON DELETE explicitly (piccolo's default
  would silently be CASCADE and nullable);
- JSON columns hold dicts or lists as JSON text: portable across SQLite and Postgres. piccolo
  returns them as `str` unless a query asks for `.output(load_json=True)`.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.domain.ids import new_id
from app.domain.time import utcnow

ID_LENGTH = 36


def primary_key() -> Varchar:
    """String primary key defaulting to a fresh `new_id()`."""
    return Varchar(length=ID_LENGTH, primary_key=True, default=new_id)


def created_at() -> Timestamptz:
    """Set once, on insert."""
    return Timestamptz(default=TimestamptzNow())


def updated_at() -> Timestamptz:
    """Refreshed by piccolo on every `save()`/`update()` (the seed's `@updatedAt`)."""
    return Timestamptz(default=TimestamptzNow(), auto_update=utcnow)


def optional_timestamp() -> Timestamptz:
    """A nullable moment (expires_at, read_at, ...)."""
    return Timestamptz(null=True, default=None)


def required_timestamp() -> Timestamptz:
    """A non-null moment without a meaningful default for the caller to forget."""
    return Timestamptz(default=TimestamptzNow())


def flag(default: bool) -> Boolean:
    """A non-null boolean with the seed's default."""
    return Boolean(default=default)


def owned_by(table: type[Table], *, index: bool = False, unique: bool = False) -> ForeignKey[Any]:
    """Required parent: the row dies with its parent (workspace, contact, conversation...)."""
    return ForeignKey(
        references=table, null=False, on_delete=OnDelete.cascade, index=index, unique=unique
    )


def optionally_owned_by(table: type[Table]) -> ForeignKey[Any]:
    """Optional parent: NULL allowed, but when set the row dies with its parent."""
    return ForeignKey(references=table, null=True, default=None, on_delete=OnDelete.cascade)


def refers_to(table: type[Table]) -> ForeignKey[Any]:
    """Optional reference that survives its target being deleted (set to NULL)."""
    return ForeignKey(references=table, null=True, default=None, on_delete=OnDelete.set_null)


def json_list() -> JSON:
    """A JSON array (the seed's `String[]`), stored as JSON text on both engines."""
    return JSON(default=[])


def json_object(*, null: bool = False) -> JSON:
    """A JSON object; nullable ones default to NULL (the seed's `Json?`)."""
    return JSON(null=True, default=None) if null else JSON(default={})
