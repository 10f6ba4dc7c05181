"""Real worker processes with a scripted neonize client inside; everything else is real."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.channels import ChannelAlert, ChannelEvents, NeonizeChannel, SupervisorConfig
from app.domain import NormalizedMessage, Receipt, SessionStatus


@dataclass
class Recorder:
    """A ChannelEvents sink that remembers everything, in order."""

    messages: list[NormalizedMessage] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    statuses: list[tuple[SessionStatus, str | None]] = field(default_factory=list)
    qrs: list[str] = field(default_factory=list)
    alerts: list[ChannelAlert] = field(default_factory=list)

    def events(self) -> ChannelEvents:
        async def on_message(m: NormalizedMessage) -> None:
            self.messages.append(m)

        async def on_receipt(r: Receipt) -> None:
            self.receipts.append(r)

        async def on_status(s: SessionStatus, reason: str | None) -> None:
            self.statuses.append((s, reason))

        async def on_qr(url: str) -> None:
            self.qrs.append(url)

        async def on_alert(a: ChannelAlert) -> None:
            self.alerts.append(a)

        return ChannelEvents(on_message, on_receipt, on_status, on_qr, on_alert)


async def eventually(check: Callable[[], bool], within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


class FakeSleep:
    """Records requested backoff delays and returns at once (no real minutes slept)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


MakeChannel = Callable[..., NeonizeChannel]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def make_channel(tmp_path: Path, recorder: Recorder, key: bytes) -> Any:
    made: list[NeonizeChannel] = []

    def make(script: str, *, grace: float = 5.0, sleep: Any = None, **kw: Any) -> NeonizeChannel:
        channel = NeonizeChannel(
            "sess1",
            tmp_path / "data" / "sess1",
            key,
            recorder.events(),
            runtime_base=tmp_path / "run",
            config=SupervisorConfig(stop_grace=grace, request_timeout=20),
            sleep=sleep or FakeSleep(),
            fake_script=script,
            **kw,
        )
        made.append(channel)
        return channel

    yield make
    for channel in made:  # never leave a worker behind
        worker = channel.supervisor.worker
        if worker is not None and worker.alive:
            worker.process.kill()
