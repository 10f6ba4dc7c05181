"""The channel manager picks adapters by kind and owns their lifecycle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.channels import ChannelEvents, SimulatorChannel
from app.channels.manager import ChannelManager, ChannelSpec, build_channel
from app.domain import NotFound, SessionStatus


async def test_simulator_sessions_lifecycle() -> None:
    manager = ChannelManager()
    channel = await manager.open(ChannelSpec("s1", "simulator"), ChannelEvents())
    assert isinstance(channel, SimulatorChannel) and channel.status is SessionStatus.CONNECTED
    assert manager.get("s1") is channel and "s1" in manager
    await manager.open(ChannelSpec("s2", "simulator"), ChannelEvents())
    await manager.close("s1")
    assert channel.status is SessionStatus.DISCONNECTED
    with pytest.raises(NotFound):
        manager.get("s1")
    await manager.stop_all()
    assert "s2" not in manager


def test_neonize_kind_is_lazy_and_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_channel(ChannelSpec("s1", "neonize"), ChannelEvents())
    spec = ChannelSpec("s1", "neonize", tmp_path, os.urandom(32), tmp_path / "run")
    channel = build_channel(spec, ChannelEvents())
    assert channel.status is SessionStatus.DISCONNECTED and channel.qr() is None
    with pytest.raises(ValueError):
        build_channel(ChannelSpec("s1", "telegram"), ChannelEvents())
