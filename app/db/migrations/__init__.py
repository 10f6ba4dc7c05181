"""Hand-written, ordered schema migrations that run on SQLite and Postgres alike.

piccolo's auto-migrations don't support SQLite, so each migration is a module
`m<NNNN>_<name>.py` exposing `statements(dialect: str) -> list[str]` (dialect "sqlite" or
"postgres"); `app/db/migrate.py` applies the pending ones in order, each in its own
transaction, and records them in `schema_migrations`.

To change the schema:
1. add `m0002_<what>.py` next to this file (copy the shape of `m0001_initial.py`; write the DDL
   once with the `_sql.render` placeholders, or branch on `dialect` where SQL differs — e.g.
   SQLite's limited ALTER TABLE needs a table rebuild where Postgres has ALTER COLUMN);
2. change the piccolo table in `app/db/tables/` the same way;
3. run `pytest tests/integration/db`: the drift test fails until tables and migrations agree.
Never edit a released migration.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass

_NAME = re.compile(r"^m(\d{4})_[a-z0-9_]+$")


@dataclass(frozen=True)
class Migration:
    """One migration module: its number, its name and its statements per dialect."""

    version: int
    name: str
    statements: Callable[[str], list[str]]


def discover() -> list[Migration]:
    """All migrations of this package, sorted by version; duplicate numbers are an error."""
    found: dict[int, Migration] = {}
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:04d}: {info.name}")
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[version] = Migration(version, info.name, module.statements)
    return [found[v] for v in sorted(found)]
