"""LanceDB adapter (embedded, the default): one table per knowledge base.

Why a table per KB rather than one shared table filtered by workspace+KB: a search then scans
only that KB's rows, so latency follows the KB's size, not the whole install's; deleting a KB
is dropping a table; the keyword index is per KB too; and no row-level filter is evaluated at
all (the table *is* the workspace+KB filter). Measured here (tests/bench/bench_latency.py,
384 dims, k=5, on a loaded 2-core VM): 100k chunks in 10 KBs, query one KB — per-KB tables
p50 14.0 ms / p99 38.4 ms exact (9.9 / 13.7 once the machine was quiet; BM25 3.5 / 13.4 ms);
one shared table with an SQL prefilter 123.6 / 276.7 ms, and 24.9 / 65.1 ms even with a
bitmap index on kb_id. At 10k chunks: per-KB
3.4 / 19.5 ms vs shared 10.6-22.6 ms p50. Details in tests/bench/RESULTS.md.

Keyword search: a LanceDB full-text index over a `terms` column that holds our own
language-neutral tokens (app.vectors.lexical), whitespace-tokenised by Lance, so BM25 behaves
the same as in the other stores. Rows added after the index was built are still searched
(Lance scans unindexed fragments), so upserts need no re-index.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from app.vectors.base import Hit, Payload, Point, VectorFilter, collection_name, workspace_prefix
from app.vectors.lexical import terms_text

_FIELDS = ("workspace_id", "kb_id", "document_id", "faq_id", "chunk_id")
_COLUMNS = [*_FIELDS, "id", "content", "metadata"]


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _where(f: VectorFilter) -> str | None:
    """Predicates beyond the table's own workspace+KB (a redundant filter costs a full scan)."""
    parts = [f"{n} = {_q(v)}" for n in ("document_id", "faq_id") if (v := getattr(f, n))]
    return " AND ".join(parts) or None


def _schema(dim: int) -> pa.Schema:
    return pa.schema(
        [pa.field("id", pa.string()), pa.field("vector", pa.list_(pa.float32(), dim))]
        + [pa.field(n, pa.string()) for n in (*_FIELDS, "content", "terms", "metadata")]
    )


class LanceVectorStore:
    """Embedded LanceDB under `path`; exact (brute-force) cosine search with prefilter."""

    supports_keyword = True

    def __init__(self, path: str | Path, *, ann_threshold: int = 50_000) -> None:
        import lancedb

        self.ann_threshold = ann_threshold
        Path(path).mkdir(parents=True, exist_ok=True)
        self._db: Any = lancedb.connect(str(path))
        self._tables: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _names(self) -> list[str]:
        names: list[str] = []
        token = None
        while True:
            page = self._db.list_tables(page_token=token)
            names.extend(page.tables)
            token = page.page_token
            if not token:
                return names

    def _table(self, name: str, dim: int | None = None) -> Any | None:
        with self._lock:
            if name in self._tables:
                return self._tables[name]
            if name in self._names():
                table = self._db.open_table(name)
            elif dim is None:
                return None
            else:
                from lancedb.index import FTS

                table = self._db.create_table(name, schema=_schema(dim), exist_ok=True)
                fts = FTS(
                    base_tokenizer="whitespace",
                    lower_case=False,
                    stem=False,
                    remove_stop_words=False,
                    ascii_folding=False,
                    max_token_length=None,
                )
                table.create_index("terms", config=fts)
            self._tables[name] = table
            return table

    def upsert(self, points: Sequence[Point]) -> None:
        groups: dict[str, list[dict[str, Any]]] = {}
        for p in points:
            row = {n: getattr(p.payload, n) for n in _FIELDS}
            row.update(
                id=p.id,
                vector=[float(x) for x in p.vector],
                content=p.payload.content,
                terms=terms_text(p.payload.content),
                metadata=json.dumps(p.payload.metadata),
            )
            name = collection_name(p.payload.workspace_id, p.payload.kb_id)
            groups.setdefault(name, []).append(row)
        for name, rows in groups.items():
            table = self._table(name, dim=len(rows[0]["vector"]))
            assert table is not None  # made with the given dimension
            (
                table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(rows)
            )
            self._maybe_index(table)

    def _maybe_index(self, table: Any) -> None:
        """Keep search fast as a KB grows. Past `ann_threshold` rows it gets an IVF-HNSW
        vector index (brute force over 100k chunks blows the 20 ms budget). Rows added after
        an index was built are searched exhaustively (results stay complete) until a fold-in:
        `optimize()` runs once they exceed 10% of the table."""
        rows = table.count_rows()
        indices = list(table.list_indices())
        if rows >= self.ann_threshold and not any("vector" in i.columns for i in indices):
            from lancedb.index import IvfHnswSq

            table.create_index("vector", config=IvfHnswSq(distance_type="cosine"))
            indices = list(table.list_indices())
        stale = max((table.index_stats(i.name).num_unindexed_rows for i in indices), default=0)
        if stale > max(1_000, rows // 10):
            table.optimize()

    @staticmethod
    def _hit(row: dict[str, Any], score: float) -> Hit:
        payload = Payload(
            content=row["content"],
            metadata=json.loads(row["metadata"] or "{}"),
            **{n: row[n] for n in _FIELDS},
        )
        return Hit(row["id"], score, payload)

    def search(self, vector: Sequence[float], k: int, filter: VectorFilter) -> list[Hit]:
        table = self._table(collection_name(filter.workspace_id, filter.require_kb()))
        if table is None or k <= 0:
            return []
        query = table.search(list(vector), vector_column_name="vector").metric("cosine")
        where = _where(filter)
        if where:
            query = query.where(where, prefilter=True)
        rows = query.limit(k).refine_factor(4).select([*_COLUMNS, "_distance"]).to_list()
        return [self._hit(r, 1.0 - float(r["_distance"])) for r in rows]

    def keyword_search(self, text: str, k: int, filter: VectorFilter) -> list[Hit]:
        table = self._table(collection_name(filter.workspace_id, filter.require_kb()))
        query = terms_text(text)
        if table is None or not query or k <= 0:
            return []
        search = table.search(query, query_type="fts", fts_columns="terms")
        where = _where(filter)
        if where:
            search = search.where(where, prefilter=True)
        rows = search.limit(k).select([*_COLUMNS, "_score"]).to_list()
        return [self._hit(r, float(r["_score"])) for r in rows]

    def _targets(self, f: VectorFilter) -> list[str]:
        if f.kb_id is not None:
            return [collection_name(f.workspace_id, f.kb_id)]
        return [n for n in self._names() if n.startswith(workspace_prefix(f.workspace_id))]

    def delete(self, filter: VectorFilter) -> int:
        removed = 0
        for name in self._targets(filter):
            table = self._table(name)
            if table is None:
                continue
            where = _where(filter)
            n = table.count_rows(where)
            if n:
                table.delete(where or "true")
                removed += n
        return removed

    def count(self, filter: VectorFilter) -> int:
        total = 0
        for name in self._targets(filter):
            table = self._table(name)
            if table is not None:
                total += table.count_rows(_where(filter))
        return total
