"""The API stays responsive while heavy work runs: nothing on a request's path waits for the
shared thread pool, and a model that takes seconds to load never loads on the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from app.embeddings import FakeEmbeddings
from tests.integration.api.conftest import Api


async def test_requests_need_no_thread_from_the_busy_pool(api: Api) -> None:
    """Model loads and embeddings fill the default thread pool; health and an authenticated
    request answer regardless (a sync permission guard ran every request in that pool:
    health took 7 s while a restart's recovery loaded the model)."""
    owner = await api.register()
    release = threading.Event()

    async def fill_pool() -> None:
        loop = asyncio.get_running_loop()
        for _ in range(48):  # several times the pool's size; each holds its thread up to 3 s
            loop.run_in_executor(None, release.wait, 3)

    await _on_app_loop(api, fill_pool)
    try:
        for path, headers in (("/api/v1/health", {}), ("/api/v1/auth/me", owner.headers())):
            started = time.monotonic()
            r = await api.client.get(path, headers=headers)
            assert r.status_code == 200, r.text
            assert time.monotonic() - started < 1.0, path
    finally:
        release.set()


async def test_a_slow_embedding_model_loads_off_the_loop_and_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five questions arrive while the model loads: the loop keeps running, one thread
    builds the model, the others wait without holding a thread."""
    builds: list[int] = []

    def slow_model(settings: Any) -> FakeEmbeddings:
        builds.append(threading.get_ident())
        time.sleep(0.6)  # e5 on torch: 6-20 s
        return FakeEmbeddings()

    monkeypatch.setattr("app.rag.runtime.build_embeddings", slow_model)
    owner = await api.register()
    kb = (await api.client.get("/api/v1/knowledge-bases", headers=owner.headers())).json()
    test = f"/api/v1/knowledge-bases/{kb[0]['id']}/test"
    gaps: list[float] = []
    ticker = api.client.blocking_portal.start_task_soon(_tick, gaps)  # type: ignore[attr-defined]
    try:
        answers = await asyncio.gather(
            *(api.client.post(test, json={"query": "open?"}, headers=owner.headers())
              for _ in range(5))
        )  # fmt: skip
    finally:
        ticker.cancel()
    assert [r.status_code for r in answers] == [200] * 5
    assert len(builds) == 1
    assert max(gaps) < 0.3, f"the event loop stalled {max(gaps):.2f} s"


async def _tick(gaps: list[float]) -> None:
    """Runs on the app's loop: the longest time it waited for its turn."""
    while True:
        started = time.monotonic()
        await asyncio.sleep(0.01)
        gaps.append(time.monotonic() - started - 0.01)


async def _on_app_loop(api: Api, fn: Any) -> Any:
    portal = api.client.blocking_portal  # type: ignore[attr-defined]
    return await asyncio.to_thread(portal.call, fn)
