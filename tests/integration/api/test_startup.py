"""A start-up that fails stops the host at once with its error — it never serves half-started.

Found when a migration named a wrong table: the API fixture's client went on with the app's
requests half working, then waited for ever for the shutdown answer (a hung test, no error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import app.container
from app.domain import ManualClock
from app.server import create_asgi
from tests.conftest import make_settings


async def test_a_failed_start_up_raises_in_the_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_migration(engine: Any) -> list[str]:
        raise RuntimeError("no such table: outbox_jobs")

    monkeypatch.setattr(app.container, "migrate", broken_migration)
    container = app.container.build_container(make_settings(tmp_path / "data"), ManualClock())
    front = create_asgi(container, with_ui=False)
    with pytest.raises(RuntimeError, match="no such table"):
        async with AsyncTestClient(app=front):  # type: ignore[arg-type]
            pytest.fail("the client must not start on a failed start-up")
