"""Recognise constraint violations from either driver, so services can map them to domain
errors (a duplicate slug → `Conflict`; a redelivered WhatsApp message → a no-op) without
importing sqlite3 or asyncpg."""

from __future__ import annotations

import sqlite3


def _pg_sqlstate(exc: BaseException) -> str | None:
    return getattr(exc, "sqlstate", None) if type(exc).__module__.startswith("asyncpg") else None


def is_unique_violation(exc: BaseException) -> bool:
    """True for a UNIQUE / PRIMARY KEY violation on SQLite or Postgres."""
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        return text.startswith("UNIQUE constraint failed") or text.startswith(
            "PRIMARY KEY constraint failed"
        )
    return _pg_sqlstate(exc) == "23505"


def is_foreign_key_violation(exc: BaseException) -> bool:
    """True when a row points at a parent that does not exist (or still has children)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return str(exc).startswith("FOREIGN KEY constraint failed")
    return _pg_sqlstate(exc) == "23503"
