"""Work done once and limits shared across nodes (issue 18): indexing jobs are claimed by one
conditional UPDATE with an owner and a lease, so nodes in separate processes racing over one
queue each index a different set, and a dead node's claims are taken back when its lease ran
out — not a live node's; rate-limit counts are one upsert, so concurrent callers in two
processes each get a distinct count and a limit lets exactly its number through. On SQLite
and Postgres."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from piccolo.engine.base import Engine

from app.auth import Throttle
from app.db.repos import kb_claims, rate_limits
from app.db.tables import KBDocument, KnowledgeBase, Workspace
from app.domain import RateLimited
from app.domain.enums import IndexStatus, KBDocType
from app.services.rate_limits import SharedCounts
from tests.integration.db.claimers import claim_kb_documents, count_hits

DOCS, NODES = 300, 3


async def _documents(count: int) -> list[str]:
    ws = Workspace(name="W", slug="w")
    await Workspace.insert(ws)
    kb = KnowledgeBase(workspace_id=ws.id, name="Main")
    await KnowledgeBase.insert(kb)
    docs = [
        KBDocument(knowledge_base_id=kb.id, name=f"d{i}", type=KBDocType.MANUAL, content="x")
        for i in range(count)
    ]
    await KBDocument.insert(*docs)
    return [d.id for d in docs]


async def test_nodes_in_separate_processes_claim_each_document_once(
    db: Engine, db_url: str
) -> None:
    ids = await _documents(DOCS)
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(NODES, mp_context=spawn) as pool:
        start = manager.Barrier(NODES)  # the nodes race for real, not one after another
        runs = [
            pool.submit(claim_kb_documents, db_url, f"node{i}", ids, i, start) for i in range(NODES)
        ]
        got = {f"node{i}": run.result(timeout=120) for i, run in enumerate(runs)}
    counts = Counter(doc for claimed in got.values() for doc in claimed)
    assert set(counts) == set(ids) and set(counts.values()) == {1}  # each exactly once
    if db_url.startswith("postgres"):  # they raced: every node won some (SQLite has one
        assert all(got.values()), got  # writer, and a node may take them all: still once)
    rows = await KBDocument.select(KBDocument.id, KBDocument.claimed_by, KBDocument.status)
    assert {r["id"]: r["claimed_by"] for r in rows} == {
        doc: node for node, claimed in got.items() for doc in claimed
    }
    assert {r["status"] for r in rows} == {IndexStatus.PROCESSING}


async def test_a_dead_nodes_claims_are_taken_back_when_its_lease_ran_out(db: Engine) -> None:
    ids = await _documents(6)
    now = datetime.now(UTC)
    for doc in ids[:3]:  # a node that stopped renewing a while ago
        assert await kb_claims.claim(doc, "dead", now - timedelta(minutes=5), now - timedelta(1))
    for doc in ids[3:5]:  # a node that is working on these
        assert await kb_claims.claim(doc, "live", now, now + timedelta(minutes=2))
    assert not await kb_claims.claim(ids[3], "other", now, now + timedelta(minutes=2))

    assert sorted(await kb_claims.recover(now)) == sorted(ids[:3])  # the sweep of any node
    assert sorted(await kb_claims.due()) == sorted([*ids[:3], ids[5]])
    assert not await kb_claims.renew(ids[0], "dead", now + timedelta(minutes=2))  # lost it
    assert await kb_claims.renew(ids[3], "live", now + timedelta(minutes=3))
    assert await kb_claims.claim(ids[0], "other", now, now + timedelta(minutes=2))

    # the live node restarting after a crash: its own claims are nobody's now
    assert sorted(await kb_claims.recover(now, own="live")) == sorted(ids[3:5])


async def test_a_rate_limit_counts_every_process_once(db: Engine, db_url: str) -> None:
    calls, now = 40, time.time()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(2, mp_context=spawn) as pool:
        start = manager.Barrier(2)
        runs = [pool.submit(count_hits, db_url, "api:ws1", calls, now, start) for _ in range(2)]
        counts = [hit for run in runs for hit in run.result(timeout=120)]
    assert sorted(counts) == list(range(1, 2 * calls + 1))  # no two callers saw one count
    limit = 25  # so a limit of 25 lets exactly 25 through, whichever node they reached
    assert sum(hit <= limit for hit in counts) == limit
    # another key, and the next window, start again from one
    assert (await rate_limits.hit("api:ws2", 3600, now)).hits == 1
    assert (await rate_limits.hit("api:ws1", 3600, now + 3600)).hits == 1


async def test_the_dashboard_sign_in_throttle_counts_in_the_database(db: Engine) -> None:
    """What a Postgres install's dashboard uses (the container passes the shared counts)."""
    shared = Throttle(limit=2, counts=SharedCounts())
    other_node = Throttle(limit=2, counts=SharedCounts())
    await shared.check("1.2.3.4")
    await other_node.check("1.2.3.4")
    with pytest.raises(RateLimited) as err:
        await shared.check("1.2.3.4")
    assert 1 <= err.value.retry_after <= 61
    await other_node.check("5.6.7.8")  # another IP has its own budget
