"""Read the live schema back from SQLite or Postgres, in one shape for both."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from app.db import dialect

_PG_TYPES = {
    "text": "TEXT",
    "timestamp with time zone": "TIMESTAMPTZ",
    "boolean": "BOOLEAN",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double precision": "DOUBLE PRECISION",
    "json": "JSON",
    "bytea": "BYTEA",
}
_PG_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL"}


@dataclass(frozen=True)
class DbColumn:
    type: str
    not_null: bool


async def _q(engine: Engine, sql: str, *args: object) -> list[dict]:
    return await engine.run_querystring(QueryString(sql, *args))


async def columns(engine: Engine, table: str) -> dict[str, DbColumn]:
    """Column name → declared type (piccolo spelling, e.g. VARCHAR(36)) and nullability."""
    if dialect(engine) == "sqlite":
        rows = await _q(engine, f"PRAGMA table_info({table})")
        return {r["name"]: DbColumn(r["type"].upper(), bool(r["notnull"])) for r in rows}
    rows = await _q(
        engine,
        "SELECT column_name, data_type, character_maximum_length AS len, is_nullable "
        "FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = {}",
        table,
    )
    out = {}
    for r in rows:
        kind = f"VARCHAR({r['len']})" if r["data_type"] == "character varying" else None
        out[r["column_name"]] = DbColumn(
            kind or _PG_TYPES.get(r["data_type"], r["data_type"]), r["is_nullable"] == "NO"
        )
    return out


async def indexes(engine: Engine, table: str) -> list[tuple[bool, tuple[str, ...]]]:
    """Every index (unique flag, ordered columns), including those behind constraints."""
    if dialect(engine) == "sqlite":
        out = []
        for ix in await _q(engine, f"PRAGMA index_list({table})"):
            cols = await _q(engine, f"PRAGMA index_info('{ix['name']}')")
            ordered = tuple(c["name"] for c in sorted(cols, key=lambda c: c["seqno"]))
            out.append((bool(ix["unique"]), ordered))
        return out
    rows = await _q(
        engine,
        "SELECT i.indisunique AS uniq, array_agg(a.attname ORDER BY k.n) AS cols "
        "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = to_regclass({}) GROUP BY i.indexrelid, i.indisunique",
        table,
    )
    return [(bool(r["uniq"]), tuple(r["cols"])) for r in rows]


async def foreign_keys(engine: Engine, table: str) -> set[tuple[str, str, str]]:
    """(column, referenced table, ON DELETE action) for every foreign key."""
    if dialect(engine) == "sqlite":
        rows = await _q(engine, f"PRAGMA foreign_key_list({table})")
        return {(r["from"], r["table"], r["on_delete"].upper()) for r in rows}
    rows = await _q(
        engine,
        "SELECT a.attname AS col, c.confrelid::regclass::text AS ref, c.confdeltype::text AS act "
        "FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = to_regclass({})",
        table,
    )
    return {(r["col"], r["ref"], _PG_ON_DELETE[r["act"]]) for r in rows}


async def tables(engine: Engine) -> set[str]:
    """Names of the tables in the database (current schema on Postgres)."""
    if dialect(engine) == "sqlite":
        rows = await _q(engine, "SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r["name"] for r in rows}
    rows = await _q(
        engine,
        "SELECT table_name AS name FROM information_schema.tables "
        "WHERE table_schema = current_schema()",
    )
    return {r["name"] for r in rows}
