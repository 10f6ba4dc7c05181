"""The tiny dialect layer migrations are written in.

A migration writes its DDL once with placeholders and `ddl()` renders it per dialect:
`{pk}` the string primary key, `{id}` id/foreign-key type, `{ts}` timestamptz, `{json}`,
`{now}`, `{true}`/`{false}`,
`{cascade:table}` / `{set_null:table}` → `REFERENCES table (id) ON DELETE ...`.
Literal braces are doubled (`'{{}}'` is an empty JSON object).

Types are chosen so piccolo's SQLite converters turn values back into Python types:
TIMESTAMPTZ → aware datetime, BOOLEAN → bool, INTEGER → int; JSON stays text on both engines.
"""

from __future__ import annotations

import re

DIALECTS = ("sqlite", "postgres")

_TYPES: dict[str, dict[str, str]] = {
    "sqlite": {
        "id": "VARCHAR(36)",
        "ts": "TIMESTAMPTZ",
        "json": "JSON",
        "now": "CURRENT_TIMESTAMP",
        "true": "1",
        "false": "0",
    },
    "postgres": {
        "id": "VARCHAR(36)",
        "ts": "TIMESTAMPTZ",
        "json": "JSON",
        "now": "CURRENT_TIMESTAMP",
        "true": "TRUE",
        "false": "FALSE",
    },
}


class _OnDelete:
    """Renders `{cascade:parent}` as a foreign key clause via str.format's format spec."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __format__(self, table: str) -> str:
        return f"REFERENCES {table} (id) ON DELETE {self.action}"


def render(dialect: str, sql: str) -> str:
    """Fill the placeholders of `sql` for `dialect`."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
    types = _TYPES[dialect]
    # NOT NULL spelled out: SQLite lets non-INTEGER primary keys hold NULL otherwise.
    pk = f"{types['id']} NOT NULL PRIMARY KEY"
    return sql.format(**types, pk=pk, cascade=_OnDelete("CASCADE"), set_null=_OnDelete("SET NULL"))


def _blocks(text: str) -> list[str]:
    """Split on lines that start at column 0: each such line opens a new block."""
    return [b.strip() for b in re.split(r"\n(?=\S)", text.strip()) if b.strip()]


def ddl(dialect: str, tables: str, indexes: str = "") -> list[str]:
    """CREATE TABLE for each `name (...)` block, then CREATE INDEX for each `table (cols)` line.

    Index names are derived (`ix_<table>_<col>_<col>`) so later migrations can drop them.
    """
    out = [f"CREATE TABLE {render(dialect, block)}" for block in _blocks(tables)]
    for line in _blocks(indexes):
        table, cols = line.split("(", 1)
        columns = [c.strip() for c in cols.rstrip(")").split(",")]
        name = "_".join(["ix", table.strip(), *columns])
        out.append(f"CREATE INDEX {name} ON {table.strip()} ({', '.join(columns)})")
    return out
