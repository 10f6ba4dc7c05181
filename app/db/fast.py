"""Hot-path statements without piccolo's query builder.

Building a piccolo query (a `Table(**row)` instance, then the INSERT's querystrings) cost
more CPU than SQLite's work for the pipeline's inserts — several per message (issue 3's
benchmark). Here the SQL text is built once per column set (cached) and handed to the engine
pre-compiled, so transactions, both engines (`?` for SQLite, `$n` for Postgres) and SQLite's
type adapters still apply. Values: enums become their value, lists/dicts JSON text — what
piccolo stores for these columns.
"""

from __future__ import annotations

import json
from enum import Enum
from functools import lru_cache
from typing import Any

from piccolo.querystring import QueryString
from piccolo.table import Table


@lru_cache(maxsize=256)
def _compile(template: str, engine_type: str) -> str:
    """`{}` placeholders → `?` (SQLite) or `$1, $2 …` (Postgres)."""
    if engine_type == "sqlite":
        return template.replace("{}", "?")
    parts = template.split("{}")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))


@lru_cache(maxsize=64)
def _insert_template(
    table: type[Table],
    columns: tuple[str, ...],
    only_if: str = "",
    computed: tuple[tuple[str, str], ...] = (),
) -> str:
    """Names come from our code's row dicts, never from input — and are checked anyway.
    `only_if`: `INSERT … SELECT … WHERE only_if` (Postgres types each value from its column).
    `computed`: (column, SQL expression) pairs after `columns` — from our code too."""
    every = (*columns, *(name for name, _ in computed))
    known = {c._meta.db_column_name for c in table._meta.columns}
    if unknown := set(every) - known:
        raise ValueError(f"{table._meta.tablename} has no columns {sorted(unknown)}")
    names = ", ".join(f'"{c}"' for c in every)
    values = ", ".join(["{}" for _ in columns] + [sql for _, sql in computed])
    into = f'INSERT INTO "{table._meta.tablename}" ({names})'
    if only_if:
        return f"{into} SELECT {values} WHERE {only_if}"
    return f"{into} VALUES ({values})"


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


async def execute(table: type[Table], template: str, *args: Any) -> list[dict[str, Any]]:
    """Run `template` (with `{}` placeholders) on `table`'s engine, inside the current
    transaction if there is one."""
    engine = table._meta.db
    query = QueryString("", table=table)
    query._frozen_compiled_strings = (
        _compile(template, engine.engine_type),
        [_value(a) for a in args],
    )
    rows = await engine.run_querystring(query)
    return engine.transform_response_to_dicts(rows) if rows else []


async def insert(table: type[Table], row: dict[str, Any], *, on_conflict: str = "") -> bool:
    """INSERT one complete row (every column a key of `row`). `on_conflict` names the
    columns of a unique constraint: a row that collides there is skipped (False) instead of
    failing — the caller's transaction stays usable."""
    template = _insert_template(table, tuple(row))
    if on_conflict:
        template += f" ON CONFLICT ({on_conflict}) DO NOTHING RETURNING id"
        return bool(await execute(table, template, *row.values()))
    await execute(table, template, *row.values())
    return True


Write = tuple[str, tuple[Any, ...]]  # a write statement nobody reads back: template, values


async def insert_with(
    inserts: list[tuple[type[Table], dict[str, Any]]],
    table: type[Table],
    template: str,
    *args: Any,
) -> list[dict[str, Any]]:
    """INSERT complete rows nobody reads back, then run `template` (`run_with`)."""
    writes = [insert_statement(t, row) for t, row in inserts]
    return await run_with(writes, table, template, *args)


def insert_statement(
    table: type[Table],
    row: dict[str, Any],
    *,
    only_if: str = "",
    computed: tuple[tuple[str, str], ...] = (),
) -> Write:
    """The INSERT of one complete row, for `run_with`. `only_if` (Postgres): a condition on
    the statement's other CTEs — the row is written only when it holds. `computed`: columns
    whose values are SQL expressions (on those CTEs), not parameters."""
    return _insert_template(table, tuple(row), only_if, computed), tuple(row.values())


@lru_cache(maxsize=16)
def columns_as(table: type[Table], alias: str, prefix: str) -> str:
    """Every column of `table` (aliased `alias` in the query) as `"<prefix><name>"`: a row
    of it returned beside another table's, whose column names it shares (`id`,
    `workspace_id` …). `unprefixed` takes it back out of a result row."""
    names = [col._meta.db_column_name for col in table._meta.columns]
    return ", ".join(f'{alias}."{n}" AS "{prefix}{n}"' for n in names)


def unprefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The columns `columns_as(…, prefix)` put in `row`, under their own names."""
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def each(template: str, count: int, column: str = "*") -> tuple[list[str], str]:
    """`template` (a data-modifying statement with RETURNING) `count` times as CTEs `e0…`,
    and the UNION ALL that reads back `column` from each: many writes, each its own exact
    statement (so its own plan), in one round trip. The caller joins the CTEs with any of
    its own after `WITH`, and binds each copy's values in turn."""
    ctes = [f"e{i} AS ({template})" for i in range(count)]
    rows = " UNION ALL ".join(f"SELECT {column} FROM e{i}" for i in range(count))  # noqa: S608
    return ctes, rows


async def run_with(
    writes: list[Write], table: type[Table], template: str, *args: Any
) -> list[dict[str, Any]]:
    """Run `writes` (INSERT/UPDATE statements whose results nobody reads), then `template`
    (on `table`), and return its rows. On Postgres it is one statement — the writes as
    data-modifying CTEs, which run to completion before the statement ends (foreign keys are
    checked at its end, so a row may refer to one inserted beside it) — one round trip
    instead of one per write. `template` runs on the statement's snapshot, so it must not
    read what `writes` change. SQLite runs them one by one (no round trips to save)."""
    engine = table._meta.db
    if engine.engine_type == "sqlite" or not writes:
        for sql, values in writes:
            await execute(table, sql, *values)
        return await execute(table, template, *args)
    parts = [f"w{i} AS ({sql})" for i, (sql, _) in enumerate(writes)]
    written = [v for _, vs in writes for v in vs]
    return await execute(table, "WITH " + ", ".join(parts) + " " + template, *written, *args)
