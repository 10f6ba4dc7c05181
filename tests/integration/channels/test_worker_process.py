"""The worker process on its own: it leaves when the parent goes, and rejects unknown commands."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.channels import WorkerError, WorkerProcess, worker_command
from app.channels.neonize_channel import worker_env


async def _ignore(name: str, data: dict) -> None:
    return None


async def test_worker_exits_when_parent_link_closes(tmp_path: Path) -> None:
    argv = [*worker_command("w1", fake_script="connected"), "--data-dir", str(tmp_path)]
    worker = await WorkerProcess.spawn(argv, _ignore, worker_env())
    await worker.request("connect", wait_s=20)
    with pytest.raises(WorkerError, match="unknown command"):
        await worker.request("explode", wait_s=20)
    await worker.close()  # the parent drops its end, as if it had died
    assert await asyncio.wait_for(worker.wait(), 5) == 0
