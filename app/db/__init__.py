"""Database layer: piccolo tables, engine choice (SQLite | Postgres) and migrations.

Usage at start-up (the composition root does this once)::

    engine = create_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    await migrate(engine)
    ...
    await close_engine(engine)
"""

from __future__ import annotations

from app.db.engine import (
    MissingExtra,
    bind_tables,
    close_engine,
    create_engine,
    dialect,
    make_durable,
    open_engine,
)
from app.db.errors import is_foreign_key_violation, is_unique_violation
from app.db.migrate import SchemaTooNew, current_version, latest_version, migrate

__all__ = [
    "MissingExtra",
    "SchemaTooNew",
    "bind_tables",
    "close_engine",
    "create_engine",
    "current_version",
    "dialect",
    "is_foreign_key_violation",
    "is_unique_violation",
    "latest_version",
    "make_durable",
    "migrate",
    "open_engine",
]
