"""Work done once across nodes (issue 18): indexing jobs are claimed by one conditional
UPDATE with an owner and a lease, so nodes in separate processes racing over one queue each
index a different set, and a dead node's claims are taken back when its lease ran out — not
a live node's. On SQLite and Postgres."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

from piccolo.engine.base import Engine

from app.db.repos import kb_claims
from app.db.tables import KBDocument, KnowledgeBase, Workspace
from app.domain.enums import IndexStatus, KBDocType
from tests.integration.db.claimers import claim_kb_documents

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
            pool.submit(claim_kb_documents, db_url, f"node{i}", ids, i, start)
            for i in range(NODES)
        ]
        got = {f"node{i}": run.result(timeout=120) for i, run in enumerate(runs)}
    counts = Counter(doc for claimed in got.values() for doc in claimed)
    assert set(counts) == set(ids) and set(counts.values()) == {1}  # each exactly once
    assert all(got.values()), got  # they raced: every node won some (SQLite: few, one writer)
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
