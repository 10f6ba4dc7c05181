"""The migrated schema and the piccolo tables must not drift: same tables, columns, types,
nullability, unique constraints, foreign keys and indexes, on both engines.

Each test walks every table and reports all mismatches at once (one migration per test keeps
the suite fast; the message names the table and column)."""

from __future__ import annotations

from piccolo.columns import ForeignKey
from piccolo.engine.base import Engine
from piccolo.table import Table

from app.db.tables import ALL_TABLES
from tests.integration.db import introspect


def _expected_uniques(table: type[Table]) -> set[tuple[str, ...]]:
    out = {(c._meta.db_column_name,) for c in table._meta.columns if c._meta.unique}
    out.add((table._meta.primary_key._meta.db_column_name,))
    for constraint in table._meta.constraints:
        out.add(tuple(constraint.get_column_names()))
    return {tuple(sorted(cols)) for cols in out}


async def test_every_table_exists_and_nothing_else(db: Engine) -> None:
    expected = {t._meta.tablename for t in ALL_TABLES} | {"schema_migrations"}
    assert await introspect.tables(db) == expected


async def test_columns_types_and_nullability(db: Engine) -> None:
    problems = []
    for table in ALL_TABLES:
        name = table._meta.tablename
        live = await introspect.columns(db, name)
        declared = {c._meta.db_column_name: c for c in table._meta.columns}
        if set(live) != set(declared):
            problems.append(
                f"{name}: db-only {set(live) - set(declared)}, "
                f"table-only {set(declared) - set(live)}"
            )
            continue
        for col, column in declared.items():
            if live[col].type != column.column_type:
                problems.append(f"{name}.{col}: db {live[col].type} != {column.column_type}")
            if live[col].not_null == column._meta.null:
                problems.append(f"{name}.{col}: db NOT NULL={live[col].not_null}")
    assert not problems, "\n".join(problems)


async def test_unique_constraints(db: Engine) -> None:
    problems = []
    for table in ALL_TABLES:
        name = table._meta.tablename
        indexes = await introspect.indexes(db, name)
        live = {tuple(sorted(cols)) for unique, cols in indexes if unique}
        if live != _expected_uniques(table):
            problems.append(
                f"{name}: db {sorted(live)} != table {sorted(_expected_uniques(table))}"
            )
    assert not problems, "\n".join(problems)


async def test_foreign_keys_and_on_delete(db: Engine) -> None:
    problems = []
    for table in ALL_TABLES:
        expected = {
            (
                c._meta.db_column_name,
                c._foreign_key_meta.resolved_references._meta.tablename,
                c._foreign_key_meta.on_delete.value,
            )
            for c in table._meta.columns
            if isinstance(c, ForeignKey)
        }
        live = await introspect.foreign_keys(db, table._meta.tablename)
        if live != expected:
            problems.append(f"{table._meta.tablename}: db {live} != table {expected}")
    assert not problems, "\n".join(problems)


async def test_indexed_columns_have_an_index(db: Engine) -> None:
    problems = []
    for table in ALL_TABLES:
        name = table._meta.tablename
        leading = {cols[0] for _, cols in await introspect.indexes(db, name)}
        wanted = {c._meta.db_column_name for c in table._meta.columns if c._meta.index}
        if not wanted <= leading:
            problems.append(f"{name}: no index led by {wanted - leading}")
    assert not problems, "\n".join(problems)
